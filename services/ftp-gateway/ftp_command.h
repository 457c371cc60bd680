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

// RFC 854 on the control connection: IAC IAC is the data byte 0xFF; IAC
// followed by a telnet command (ABOR is often sent after IAC IP IAC DM),
// option negotiation or subnegotiation is dropped; an IAC before any other
// byte is data (clients that do not escape 0xFF). Every other byte is kept,
// whatever its value: file names arrive in UTF-8, Latin-1 or CP1252.
std::string StripTelnetCommands(absl::string_view line);

// `line` without its CRLF (a bare LF was already accepted by the reader),
// telnet commands stripped. The argument keeps its bytes as sent.
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
