#include "services/lpd-gateway/lpd_command.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace spoolgate::lpd {

absl::StatusOr<DaemonCommand> ParseDaemonCommand(absl::string_view line) {
  absl::ConsumeSuffix(&line, "\r");
  if (line.empty()) return absl::InvalidArgumentError("empty command");
  unsigned char code = static_cast<unsigned char>(line[0]);
  if (code < 1 || code > 5) {
    return absl::InvalidArgumentError(absl::StrCat("unknown daemon command ", static_cast<int>(code)));
  }
  DaemonCommand command;
  command.code = static_cast<DaemonCode>(code);
  // RFC 1179 3.1: operands are separated by white space, which is SP, HT,
  // VT or FF (one or more).
  std::vector<std::string> words =
      absl::StrSplit(line.substr(1), absl::ByAnyChar(" \t\v\f"), absl::SkipEmpty());
  if (words.empty()) return absl::InvalidArgumentError("no queue name");
  command.queue = words[0];
  size_t next = 1;
  if (command.code == DaemonCode::kRemoveJobs) {
    if (words.size() < 2) return absl::InvalidArgumentError("remove jobs without an agent");
    command.agent = words[1];
    next = 2;
  }
  command.list.assign(words.begin() + static_cast<long>(std::min(next, words.size())), words.end());
  return command;
}

}  // namespace spoolgate::lpd
