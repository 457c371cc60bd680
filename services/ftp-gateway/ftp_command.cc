#include "services/ftp-gateway/ftp_command.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace spoolgate::ftp {

std::string StripTelnetCommands(absl::string_view line) {
  constexpr unsigned char kIac = 255, kSb = 250, kSe = 240, kWill = 251;
  std::string clean;
  clean.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c != kIac) {
      clean.push_back(static_cast<char>(c));
      continue;
    }
    if (i + 1 == line.size()) break;  // a lone IAC at the end: nothing to keep
    unsigned char command = static_cast<unsigned char>(line[++i]);
    if (command == kIac) {
      clean.push_back(static_cast<char>(kIac));  // IAC IAC: the data byte 255
    } else if (command >= kWill) {
      ++i;  // WILL/WONT/DO/DONT and their option byte
    } else if (command == kSb) {
      // Subnegotiation runs to IAC SE.
      while (i + 1 < line.size() && !(static_cast<unsigned char>(line[i]) == kIac &&
                                      static_cast<unsigned char>(line[i + 1]) == kSe)) {
        ++i;
      }
      ++i;
    } else if (command < kSe) {
      // Not a telnet command: a client that does not escape 0xFF (Python's
      // ftplib) sent the letter ÿ. Keep both bytes.
      clean.push_back(static_cast<char>(kIac));
      clean.push_back(static_cast<char>(command));
    }
    // SE, NOP, DM, BRK, IP, AO, AYT, EC, EL, GA: dropped with their IAC.
  }
  return clean;
}

absl::StatusOr<FtpCommand> ParseFtpCommand(absl::string_view line) {
  std::string clean = StripTelnetCommands(line);
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

namespace {
// A reply line may repeat what the client sent (a queue or file name):
// control bytes in it (a NUL, an escape sequence) are shown as '?'.
std::string Printable(const std::string& line) {
  std::string out = line;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}
}  // namespace

std::string FormatReply(const Reply& reply) {
  if (reply.lines.size() <= 1) {
    return absl::StrCat(reply.code, " ", reply.lines.empty() ? "" : Printable(reply.lines[0]),
                        "\r\n");
  }
  std::string out = absl::StrCat(reply.code, "-", Printable(reply.lines[0]), "\r\n");
  for (size_t i = 1; i + 1 < reply.lines.size(); ++i) {
    const std::string line = Printable(reply.lines[i]);
    bool digit = !line.empty() && absl::ascii_isdigit(static_cast<unsigned char>(line[0]));
    absl::StrAppend(&out, digit ? " " : "", line, "\r\n");
  }
  absl::StrAppend(&out, reply.code, " ", Printable(reply.lines.back()), "\r\n");
  return out;
}

}  // namespace spoolgate::ftp
