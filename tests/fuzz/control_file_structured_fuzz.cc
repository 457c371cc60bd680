// Control files built line by line from the fuzzer's bytes: every letter of
// RFC 1179 section 7 and LPRng's extras, with operands that fit the letter
// (user names, numbers in and out of range, data-file names with and without
// '/') or raw bytes, LF or CR LF line ends, blank lines. An independent
// model of what each line means predicts the result; the parser must agree:
// success or failure, the user, the job name, indent and width, and the
// print commands in order with their N-line sources.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/lpd-gateway/control_file.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
using spoolgate::fuzz::FuzzInput;
using spoolgate::lpd::PrintCommand;

const std::string kLetters = "HPJCLMNTIW1234cdfglnoprtvUAQDSZ";
const std::vector<std::string> kOperands = {
    "alice", "root", "", "dfA001host", "dfB123ws1.office", "../etc/passwd", "a/b", "0", "1000",
    "1001", "-1", "80", "x", " spaced ", "\t", "report.pdf", "cfA001host", "9999999999"};

struct Expected {
  bool ok = true;
  bool has_user = false;
  std::string user, job_name;
  int indent = 0, width = 0;
  std::vector<PrintCommand> prints;
  std::string source;
};

bool PrintLetter(char c) { return std::string("cdfglnoprtv").find(c) != std::string::npos; }

// What one line does, per the parser's documented rules.
void Model(char letter, const std::string& operand, Expected* e) {
  auto number = [&](int* out) {
    int value = 0;
    if (!absl::SimpleAtoi(operand, &value) || value < 0 || value > 1000) e->ok = false;
    else *out = value;
  };
  switch (letter) {
    case 'P':
      e->user = operand;
      e->has_user = true;
      break;
    case 'J':
      e->job_name = operand;
      break;
    case 'N':
      e->source = operand;
      break;
    case 'I':
      number(&e->indent);
      break;
    case 'W':
      number(&e->width);
      break;
    default:
      if (PrintLetter(letter)) {
        if (operand.empty() || operand.find('/') != std::string::npos) {
          e->ok = false;
        } else {
          e->prints.push_back({letter, operand, e->source});
          e->source.clear();
        }
      }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  std::string text;
  Expected expected;
  int lines = static_cast<int>(in.Range(0, 40));
  for (int i = 0; i < lines && expected.ok; ++i) {
    if (in.Range(0, 9) == 0) {
      text += in.Bool() ? "\n" : "\r\n";  // blank line
      continue;
    }
    char letter = kLetters[in.Range(0, kLetters.size() - 1)];
    std::string operand = in.Range(0, 4) == 0 ? in.Bytes(12) : in.Pick(kOperands);
    // Line breaks inside the operand would make it more than one line.
    if (operand.find('\n') != std::string::npos) continue;
    if (!operand.empty() && operand.back() == '\r') continue;
    text += letter + operand + (in.Bool() ? "\n" : "\r\n");
    Model(letter, operand, &expected);
  }
  if (!expected.has_user || expected.user.empty()) expected.ok = false;

  auto parsed = spoolgate::lpd::ParseControlFile(text);
  if (parsed.ok() != expected.ok) __builtin_trap();
  if (!parsed.ok()) return 0;
  if (parsed->user != expected.user || parsed->job_name != expected.job_name) __builtin_trap();
  if (parsed->indent != expected.indent || parsed->width != expected.width) __builtin_trap();
  if (parsed->prints.size() != expected.prints.size()) __builtin_trap();
  for (size_t i = 0; i < expected.prints.size(); ++i) {
    const auto& got = parsed->prints[i];
    const auto& want = expected.prints[i];
    if (got.format != want.format || got.data_file != want.data_file || got.source != want.source) {
      __builtin_trap();
    }
  }
  return 0;
}
