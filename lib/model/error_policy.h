// Queue error policies by the names CUPS gives them ("retry-job",
// "retry-current-job", "abort-job", "stop-printer"). Pure.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate {

// The CUPS name; "retry-job" for UNSPECIFIED, which means the same.
std::string ErrorPolicyName(v1::ErrorPolicy policy);
// The policy of a CUPS name; nullopt for anything else.
std::optional<v1::ErrorPolicy> ParseErrorPolicy(absl::string_view name);

}  // namespace spoolgate
