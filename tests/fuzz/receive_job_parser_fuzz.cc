// Feeds the input in pieces whose sizes come from the input itself, and
// checks that file bytes never exceed what was announced.
#include <cstdint>
#include <vector>

#include "services/lpd-gateway/receive_job_parser.h"

using spoolgate::lpd::ReceiveEvent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 64;
  absl::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  spoolgate::lpd::ReceiveJobParser parser({/*max_line_bytes=*/256});
  std::vector<ReceiveEvent> events;
  uint64_t announced = 0, received = 0;
  bool counted = false;
  auto check = [&] {
    for (const auto& e : events) {
      if (e.kind == ReceiveEvent::Kind::kFileStart) {
        announced = e.count;
        received = 0;
        counted = e.count != 0;
      } else if (e.kind == ReceiveEvent::Kind::kData) {
        received += e.data.size();
        if (counted && received > announced) __builtin_trap();
      }
    }
    events.clear();
  };
  for (size_t i = 0; i < input.size(); i += step) {
    if (!parser.Feed(input.substr(i, step), &events).ok()) return 0;
    check();
    if (parser.awaiting_empty_file_decision() && (data[0] & 0x80)) parser.ResolveEmptyFile(&events);
    check();
  }
  (void)parser.Finish(&events);
  check();
  return 0;
}
