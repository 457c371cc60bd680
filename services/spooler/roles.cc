#include "services/spooler/roles.h"

#include <algorithm>
#include <array>

namespace spoolgate::spooler {
namespace {

constexpr std::array<absl::string_view, 5> kIntakeRpcs = {
    "Intake.Submit", "Admin.ListQueues", "Admin.ListPrinters", "Admin.ListJobs",
    "Admin.RemoveJobs"};
constexpr std::array<absl::string_view, 2> kAgentRpcs = {"Dispatch.Attach", "Dispatch.ReadDocument"};

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIntake:
      return "intake";
    case Role::kAgent:
      return "agent";
    case Role::kAdmin:
      return "admin";
  }
  return "?";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role role : {Role::kIntake, Role::kAgent, Role::kAdmin}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

bool RoleMayCall(Role role, absl::string_view rpc) {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kIntake:
      return std::find(kIntakeRpcs.begin(), kIntakeRpcs.end(), rpc) != kIntakeRpcs.end();
    case Role::kAgent:
      return std::find(kAgentRpcs.begin(), kAgentRpcs.end(), rpc) != kAgentRpcs.end();
  }
  return false;
}

}  // namespace spoolgate::spooler
