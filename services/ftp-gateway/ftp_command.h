// FTP commands (RFC 959 4.1, 5.3) and replies (4.2). Pure.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace spoolgate::ftp {

struct FtpCommand {
  std::string verb;  // upper case: "STOR", "EPSV"
  std::string arg;   // everything after the first space, unchanged
};

// `line` without its CRLF (a bare LF was already accepted by the reader).
// Telnet IAC sequences (ABOR is often sent after IAC IP IAC DM) are dropped.
// InvalidArgument for an empty or non-alphabetic verb.
absl::StatusOr<FtpCommand> ParseFtpCommand(absl::string_view line);

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // one line is "code text"; more is "code-...", "code text"
};

// RFC 959 4.2: "123-first\r\n" ... "123 last\r\n". Lines of a multi-line
// reply that start with a digit are indented by one space so they cannot
// be taken for its end.
std::string FormatReply(const Reply& reply);

}  // namespace spoolgate::ftp
