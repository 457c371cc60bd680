// The job life cycle of docs/design.md as a table of legal transitions. Pure.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

using ::spoolgate::v1::JobState;

// COMPLETED, FAILED and CANCELLED: no transition leaves them.
bool IsFinalState(JobState state);

// OK if `from -> to` is a legal transition, else FailedPrecondition naming both.
absl::Status CheckTransition(JobState from, JobState to);

// "pending", "printing", ... as shown by spoolctl and metrics labels.
absl::string_view JobStateName(JobState state);

}  // namespace spoolgate::spooler
