#include "services/ftp-gateway/ftp_reply.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace spoolgate::ftp {

bool SpoolerUnreachable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnauthenticated:  // our admin token, not the user's fault
      return true;
    default:
      return false;
  }
}

Reply FtpReplyFor(const absl::Status& status, FtpStep step) {
  std::string text(status.message());
  switch (status.code()) {
    case absl::StatusCode::kNotFound:            // no such queue
    case absl::StatusCode::kFailedPrecondition:  // queue not accepting
    case absl::StatusCode::kPermissionDenied:
      return {550, {text}};
    case absl::StatusCode::kResourceExhausted:
      // Over quota is an exceeded allocation (552); a full queue or disk
      // is temporary (452).
      if (absl::StartsWith(text, "quota:")) return {552, {absl::StrCat("Over quota: ", text)}};
      return {452, {absl::StrCat("Insufficient storage, try again later: ", text)}};
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return {501, {text}};
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDataLoss:
      return {426, {absl::StrCat("Transfer aborted (", text, "); nothing was queued")}};
    default:
      break;
  }
  // Unavailable, DeadlineExceeded, Internal and the rest: try again.
  if (step == FtpStep::kLookup) {
    return {450, {absl::StrCat("Print spooler unavailable, try again shortly: ", text)}};
  }
  return {451, {absl::StrCat("Local error, job not queued; try again shortly: ", text)}};
}

}  // namespace spoolgate::ftp
