#include "services/lpd-gateway/lpd_reply.h"

#include "absl/strings/match.h"

namespace spoolgate::lpd {

char AckFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kAckOk;
    case absl::StatusCode::kNotFound:            // no such queue
    case absl::StatusCode::kFailedPrecondition:  // queue rejecting
    case absl::StatusCode::kPermissionDenied:    // host not allowed
      return '\1';
    case absl::StatusCode::kResourceExhausted:
      // Over quota: trying again soon will not help (LPRng's code 1); full
      // queue or disk: temporarily unavailable (2).
      return absl::StartsWith(status.message(), "quota:") ? '\1' : '\2';
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kOutOfRange:
      return '\3';
    default:  // ResourceExhausted, Unavailable, DeadlineExceeded, Internal ...
      return '\2';
  }
}

}  // namespace spoolgate::lpd
