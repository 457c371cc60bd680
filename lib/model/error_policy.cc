#include "lib/model/error_policy.h"

namespace spoolgate {

std::string ErrorPolicyName(v1::ErrorPolicy policy) {
  switch (policy) {
    case v1::ERROR_POLICY_RETRY_CURRENT_JOB: return "retry-current-job";
    case v1::ERROR_POLICY_ABORT_JOB: return "abort-job";
    case v1::ERROR_POLICY_STOP_PRINTER: return "stop-printer";
    default: return "retry-job";
  }
}

std::optional<v1::ErrorPolicy> ParseErrorPolicy(absl::string_view name) {
  if (name == "retry-job") return v1::ERROR_POLICY_RETRY_JOB;
  if (name == "retry-current-job") return v1::ERROR_POLICY_RETRY_CURRENT_JOB;
  if (name == "abort-job") return v1::ERROR_POLICY_ABORT_JOB;
  if (name == "stop-printer") return v1::ERROR_POLICY_STOP_PRINTER;
  return std::nullopt;
}

}  // namespace spoolgate
