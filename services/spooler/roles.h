// The three roles a spooler client can hold, and which RPCs each may call.
//   intake  the LPD and FTP gateways: submit jobs; list queues, printers and
//           jobs; remove jobs on behalf of a named requester (the ownership
//           rule is applied by the spooler).
//   agent   printer agents: attach, and read the documents of jobs leased to
//           their own printers.
//   admin   spoolctl and operators: everything.
// RPCs are named "Service.Method" ("Admin.ListJobs").
#pragma once

#include <optional>

#include "absl/strings/string_view.h"

namespace spoolgate::spooler {

enum class Role { kIntake, kAgent, kAdmin };

absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

// Whether `role` may call `rpc` at all. Calls allowed here may still be
// limited further by what they ask for (an agent reads only its own jobs).
bool RoleMayCall(Role role, absl::string_view rpc);

}  // namespace spoolgate::spooler
