#include <cstdint>

#include "services/lpd-gateway/control_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto cf = spoolgate::lpd::ParseControlFile(text);
  if (cf.ok()) {
    if (cf->user.empty()) __builtin_trap();
    for (const auto& p : cf->prints) {
      if (p.data_file.empty() || p.data_file.find('/') != std::string::npos) __builtin_trap();
    }
  }
  spoolgate::lpd::ParseControlFileName(text);
  return 0;
}
