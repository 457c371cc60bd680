// Parses an RFC 1179 control file (section 7). Accepts what BSD lpr, LPRng,
// rlpr and CUPS send in practice: LF or CR LF line ends, a missing H line
// (the caller substitutes the peer address), LPRng's extra lines (A, D, Q)
// and any other unknown line, all kept verbatim. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace spoolgate::lpd {

struct PrintCommand {
  char format;            // c d f g l n o p r t v (7.17 - 7.28)
  std::string data_file;  // "dfA123host"
  std::string source;     // N line before it (7.7), if any
};

struct ControlFile {
  std::string host;       // H (7.2)
  std::string user;       // P (7.8), required
  std::string job_name;   // J (7.4)
  std::string job_class;  // C (7.1)
  bool has_banner = false; // an L line (7.5): print a banner page, even with no user named
  std::string banner;     // L (7.5): the user name for the banner page
  std::string mail;       // M (7.6)
  std::string title;      // T (7.10)
  int indent = 0;         // I (7.3)
  int width = 0;          // W (7.12); 0 = not given
  std::vector<std::string> fonts;     // 1..4 (7.13 - 7.16), in order of appearance
  std::vector<PrintCommand> prints;   // in file order
  std::vector<std::string> other_lines;  // unknown and ignored lines (U, S, A, D, Q ...)
};

// Returns InvalidArgument naming the first bad line (a bad print command or
// number) or a missing P line.
absl::StatusOr<ControlFile> ParseControlFile(absl::string_view text);

// "cfA123host" -> priority 0..25 from the letter (LPRng), job number "123".
struct ControlFileName {
  int priority = 0;
  std::string job_number;
  std::string host;
};
std::optional<ControlFileName> ParseControlFileName(absl::string_view name);

}  // namespace spoolgate::lpd
