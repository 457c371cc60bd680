// RFC 1179 section 5: the daemon command line, "<code><queue>[ SP operands]".
// Pure.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace spoolgate::lpd {

enum class DaemonCode {
  kPrintWaiting = 1,  // 5.1  \001queue LF
  kReceiveJob = 2,    // 5.2  \002queue LF
  kShortQueue = 3,    // 5.3  \003queue SP list LF
  kLongQueue = 4,     // 5.4  \004queue SP list LF
  kRemoveJobs = 5,    // 5.5  \005queue SP agent SP list LF
};

struct DaemonCommand {
  DaemonCode code;
  std::string queue;
  std::string agent;               // kRemoveJobs only
  std::vector<std::string> list;   // user names and job numbers
};

// `line` is without its LF (a trailing CR is tolerated). InvalidArgument for
// an unknown code, an empty queue name or a remove without an agent.
absl::StatusOr<DaemonCommand> ParseDaemonCommand(absl::string_view line);

}  // namespace spoolgate::lpd
