// Grammar (RFC 1179 section 7): lines "<letter><operand>" ending in LF.
//   C class, H host, I indent, J job name, L banner user, M mail user,
//   N source name, P user, S symlink data, T title, U unlink, W width,
//   1-4 troff fonts, c d f g l n o p r t v print commands naming a data file.
// Deviations: CR before LF is stripped; empty lines are skipped; unknown
// letters are kept, not refused (LPRng sends A, D, Q).
#include "services/lpd-gateway/control_file.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace spoolgate::lpd {
namespace {

bool IsPrintCommand(char c) {
  switch (c) {
    case 'c': case 'd': case 'f': case 'g': case 'l': case 'n':
    case 'o': case 'p': case 'r': case 't': case 'v':
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<ControlFile> ParseControlFile(absl::string_view text) {
  ControlFile cf;
  std::string pending_source;
  bool has_user = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty()) continue;
    char letter = line[0];
    absl::string_view operand = line.substr(1);
    auto number = [&](int* out) -> absl::Status {
      if (!absl::SimpleAtoi(operand, out) || *out < 0 || *out > 1000) {
        return absl::InvalidArgumentError(
            absl::StrCat("control file line ", line_number, ": bad number '", operand, "'"));
      }
      return absl::OkStatus();
    };
    switch (letter) {
      case 'H': cf.host = std::string(operand); break;
      case 'P': cf.user = std::string(operand); has_user = true; break;
      case 'J': cf.job_name = std::string(operand); break;
      case 'C': cf.job_class = std::string(operand); break;
      case 'L':
        cf.has_banner = true;
        cf.banner = std::string(operand);
        break;
      case 'M': cf.mail = std::string(operand); break;
      case 'T': cf.title = std::string(operand); break;
      case 'N': pending_source = std::string(operand); break;
      case 'I':
        if (auto s = number(&cf.indent); !s.ok()) return s;
        break;
      case 'W':
        if (auto s = number(&cf.width); !s.ok()) return s;
        break;
      case '1': case '2': case '3': case '4':
        cf.fonts.emplace_back(operand);
        break;
      default:
        if (IsPrintCommand(letter)) {
          if (operand.empty() || operand.find('/') != absl::string_view::npos) {
            return absl::InvalidArgumentError(
                absl::StrCat("control file line ", line_number, ": bad data file name"));
          }
          cf.prints.push_back({letter, std::string(operand), pending_source});
          pending_source.clear();
        } else {
          cf.other_lines.emplace_back(line);
        }
    }
  }
  if (!has_user || cf.user.empty()) {
    return absl::InvalidArgumentError("control file has no P (user) line");
  }
  return cf;
}

std::optional<ControlFileName> ParseControlFileName(absl::string_view name) {
  if (name.size() < 4 || name[0] != 'c' || name[1] != 'f') return std::nullopt;
  char letter = name[2];
  if (letter < 'A' || letter > 'Z') return std::nullopt;
  size_t digits = 0;
  while (3 + digits < name.size() && absl::ascii_isdigit(static_cast<unsigned char>(name[3 + digits]))) {
    ++digits;
  }
  if (digits == 0 || digits > 6) return std::nullopt;
  return ControlFileName{letter - 'A', std::string(name.substr(3, digits)),
                         std::string(name.substr(3 + digits))};
}

}  // namespace spoolgate::lpd
