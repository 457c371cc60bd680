// An LPD session as a client would send it, built from the fuzzer's bytes:
// a daemon command line, then (for "receive job") a sequence of subcommands
// with counts that are right, short, long, zero or huge, file bodies made
// of control-file lines, aborts and stray LFs, all fed to the parser in
// splits the input chooses. Checks:
// - no file yields more bytes than it announced;
// - while every step so far was well formed, each file arrives whole and
//   byte-identical, and a control file parses the same as its text;
// - the parser never reports an event after it failed.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/lpd-gateway/control_file.h"
#include "services/lpd-gateway/lpd_command.h"
#include "services/lpd-gateway/receive_job_parser.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
using spoolgate::fuzz::FuzzInput;
using spoolgate::lpd::ReceiveEvent;

const std::vector<std::string> kQueues = {"office", "lp", "", "a b", "q\tx", "../etc", "LAB"};
const std::vector<std::string> kNames = {"cfA001host", "dfA001host", "cfZ999ws1", "dfB002x",
                                         "", "../x", "cf", "dfA001host\x01", "name with space"};
constexpr size_t kPlainNames = 4;  // the first names are what real clients send
const std::vector<char> kControlLetters = {'H', 'P', 'J', 'C', 'L', 'M', 'N', 'T', 'U', 'I', 'W',
                                           'f', 'l', 'p', 'o', 'r', 'd', 'v', '1', 'S', 'Z', '?'};

std::string ControlText(FuzzInput& in) {
  std::string text;
  int lines = static_cast<int>(in.Range(0, 12));
  for (int i = 0; i < lines; ++i) {
    char letter = in.Pick(kControlLetters);
    std::string arg = in.Bool() ? in.Pick(kNames) : in.Bytes(24);
    text += letter + arg + (in.Range(0, 7) == 0 ? "" : "\n");
  }
  return text;
}

std::string DaemonLine(FuzzInput& in) {
  uint8_t code = in.Range(0, 7) == 0 ? in.Byte() : static_cast<uint8_t>(in.Range(1, 5));
  std::string line(1, static_cast<char>(code));
  line += in.Pick(kQueues);
  int operands = static_cast<int>(in.Range(0, 4));
  for (int i = 0; i < operands; ++i) {
    line += in.Bool() ? " " : "  ";
    line += in.Bool() ? absl::StrCat(in.Range(0, 1000)) : in.Bytes(10);
  }
  return line;
}

// One subcommand and its file; `well_formed` tells whether the count and
// terminator match the body exactly.
struct Step {
  std::string bytes;
  bool is_file = false;
  bool well_formed = false;
  std::string body;
};

Step NextStep(FuzzInput& in) {
  Step step;
  switch (in.Range(0, 9)) {
    case 0:
      step.bytes = "\001\n";
      return step;
    case 1:
      step.bytes = "\n";  // a stray LF between subcommands
      step.well_formed = true;
      return step;
    case 2:
      step.bytes = in.Bytes(40) + "\n";
      return step;
    default:
      break;
  }
  bool control = in.Bool();
  step.is_file = true;
  step.body = control ? ControlText(in) : in.Bytes(300);
  uint64_t count = step.body.size();
  switch (in.Range(0, 7)) {
    case 0:
      count = 0;
      break;
    case 1:
      count = count + in.Range(1, 5);
      break;
    case 2:
      count = count > 0 ? count - in.Range(1, count) : 0;
      break;
    case 3:
      count = in.Bool() ? 999999999999ull : UINT64_MAX;
      break;
    default:
      step.well_formed = !step.body.empty();
  }
  size_t name_index = in.Range(0, kNames.size() - 1);
  const std::string& name = kNames[name_index];
  step.well_formed = step.well_formed && name_index < kPlainNames;
  step.bytes = absl::StrCat(control ? "\002" : "\003", count, " ", name, "\n", step.body);
  if (in.Range(0, 7) != 0) step.bytes += '\0';
  else step.well_formed = false;
  return step;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  std::string line = DaemonLine(in);
  auto command = spoolgate::lpd::ParseDaemonCommand(line);
  if (command.ok() && command->queue.empty()) __builtin_trap();
  if (!command.ok() || command->code != spoolgate::lpd::DaemonCode::kReceiveJob) return 0;

  std::vector<Step> steps;
  std::string stream;
  while (!in.done() && steps.size() < 16) {
    steps.push_back(NextStep(in));
    stream += steps.back().bytes;
  }
  spoolgate::lpd::ReceiveJobParser parser({/*max_line_bytes=*/256, /*stream_count_threshold=*/1ull << 40});
  std::vector<ReceiveEvent> events;
  // Files as received, to compare with the steps while all were well formed.
  std::vector<std::string> files;
  std::string current;
  uint64_t announced = 0;
  bool counted = false, in_file = false, failed = false;
  auto take = [&] {
    for (const auto& e : events) {
      if (failed) __builtin_trap();  // nothing after a failure
      switch (e.kind) {
        case ReceiveEvent::Kind::kFileStart:
          current.clear();
          announced = e.count;
          counted = e.count != 0;
          in_file = true;
          break;
        case ReceiveEvent::Kind::kData:
          if (!in_file) __builtin_trap();
          current.append(e.data.data(), e.data.size());
          if (counted && current.size() > announced) __builtin_trap();
          break;
        case ReceiveEvent::Kind::kFileEnd:
          if (!in_file) __builtin_trap();
          files.push_back(current);
          in_file = false;
          break;
        default:
          break;
      }
    }
    events.clear();
  };
  size_t split = 1 + in.Range(0, 63);
  for (size_t i = 0; i < stream.size() && !failed; i += split) {
    bool fed = parser.Feed(absl::string_view(stream).substr(i, split), &events).ok();
    take();  // events before a failure stand
    failed = !fed;
  }
  if (!failed) (void)parser.Finish(&events);
  take();

  // Oracle: the leading run of well-formed steps arrives exactly.
  size_t expected_file = 0;
  for (const auto& step : steps) {
    if (!step.well_formed) break;
    if (!step.is_file) continue;
    if (expected_file >= files.size()) __builtin_trap();  // a well-formed file went missing
    if (files[expected_file] != step.body) __builtin_trap();
    if (step.bytes[0] == '\002') {
      auto parsed = spoolgate::lpd::ParseControlFile(files[expected_file]);
      auto again = spoolgate::lpd::ParseControlFile(step.body);
      if (parsed.ok() != again.ok()) __builtin_trap();
      if (parsed.ok() && parsed->user.empty()) __builtin_trap();
    }
    ++expected_file;
  }
  return 0;
}
