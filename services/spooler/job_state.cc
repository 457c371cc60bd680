#include "services/spooler/job_state.h"

#include "absl/strings/str_cat.h"

namespace spoolgate::spooler {

using ::spoolgate::v1::JobState;

bool IsFinalState(JobState state) {
  return state == v1::JOB_STATE_COMPLETED || state == v1::JOB_STATE_FAILED ||
         state == v1::JOB_STATE_CANCELLED;
}

absl::Status CheckTransition(JobState from, JobState to) {
  bool legal = false;
  if (!IsFinalState(from) && from != v1::JOB_STATE_UNSPECIFIED) {
    switch (to) {
      case v1::JOB_STATE_CANCELLED:
        legal = true;  // any non-final state may be cancelled
        break;
      case v1::JOB_STATE_PENDING:
        // commit, release, or a lost/failed attempt going back to the queue
        legal = from == v1::JOB_STATE_RECEIVING || from == v1::JOB_STATE_HELD ||
                from == v1::JOB_STATE_PRINTING;
        break;
      case v1::JOB_STATE_HELD:
        // committed on hold, held by an admin, or held after a failed attempt
        legal = from == v1::JOB_STATE_RECEIVING || from == v1::JOB_STATE_PENDING ||
                from == v1::JOB_STATE_PRINTING;
        break;
      case v1::JOB_STATE_PRINTING:
        legal = from == v1::JOB_STATE_PENDING;
        break;
      case v1::JOB_STATE_COMPLETED:
        legal = from == v1::JOB_STATE_PRINTING;
        break;
      case v1::JOB_STATE_FAILED:
        // out of attempts (PRINTING) or an agent's fatal verdict
        legal = from == v1::JOB_STATE_PRINTING;
        break;
      default:
        legal = false;
    }
  }
  if (legal) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "job is ", JobStateName(from), ", cannot become ", JobStateName(to)));
}

absl::string_view JobStateName(JobState state) {
  switch (state) {
    case v1::JOB_STATE_RECEIVING: return "receiving";
    case v1::JOB_STATE_PENDING: return "pending";
    case v1::JOB_STATE_HELD: return "held";
    case v1::JOB_STATE_PRINTING: return "printing";
    case v1::JOB_STATE_COMPLETED: return "completed";
    case v1::JOB_STATE_FAILED: return "failed";
    case v1::JOB_STATE_CANCELLED: return "cancelled";
    default: return "unspecified";
  }
}

}  // namespace spoolgate::spooler
