#include "services/ftp-gateway/ftp_command.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace spoolgate::ftp {

absl::StatusOr<FtpCommand> ParseFtpCommand(absl::string_view line) {
  std::string clean;
  clean.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == 0xff && i + 1 < line.size()) {  // IAC: skip it and the next byte
      ++i;
      continue;
    }
    if (c == 0xf2 || c == 0xf4) continue;  // stray DM / IP
    clean.push_back(static_cast<char>(c));
  }
  if (!clean.empty() && clean.back() == '\r') clean.pop_back();
  absl::string_view text = clean;
  auto space = text.find(' ');
  absl::string_view verb = text.substr(0, space);
  if (verb.empty() || verb.size() > 8) return absl::InvalidArgumentError("no command");
  for (char c : verb) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("command is not a word");
    }
  }
  FtpCommand command;
  command.verb = absl::AsciiStrToUpper(verb);
  if (space != absl::string_view::npos) command.arg = std::string(text.substr(space + 1));
  return command;
}

std::string FormatReply(const Reply& reply) {
  if (reply.lines.size() <= 1) {
    return absl::StrCat(reply.code, " ", reply.lines.empty() ? "" : reply.lines[0], "\r\n");
  }
  std::string out = absl::StrCat(reply.code, "-", reply.lines[0], "\r\n");
  for (size_t i = 1; i + 1 < reply.lines.size(); ++i) {
    const std::string& line = reply.lines[i];
    bool digit = !line.empty() && absl::ascii_isdigit(static_cast<unsigned char>(line[0]));
    absl::StrAppend(&out, digit ? " " : "", line, "\r\n");
  }
  absl::StrAppend(&out, reply.code, " ", reply.lines.back(), "\r\n");
  return out;
}

}  // namespace spoolgate::ftp
