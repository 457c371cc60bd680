#include <cstdint>

#include "services/lpd-gateway/lpd_command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view line(reinterpret_cast<const char*>(data), size);
  auto command = spoolgate::lpd::ParseDaemonCommand(line);
  if (command.ok() && command->queue.empty()) __builtin_trap();  // never an empty queue
  return 0;
}
