// The status -> LPD ack table, row by row: every status code the spooler or
// the channel can produce.
#include "services/lpd-gateway/lpd_reply.h"

#include <gtest/gtest.h>

namespace spoolgate::lpd {
namespace {

TEST(LpdReplyTest, MapsEveryStatusToAnLprngCode) {
  struct Row {
    absl::Status status;
    char ack;
  };
  const Row rows[] = {
      {absl::OkStatus(), '\0'},
      // 1: this queue will not take it (do not retry soon)
      {absl::NotFoundError("no queue"), '\1'},
      {absl::FailedPreconditionError("rejecting"), '\1'},
      {absl::PermissionDeniedError("host"), '\1'},
      {absl::ResourceExhaustedError("quota: 3 jobs a day"), '\1'},
      // 2: temporary, try again later
      {absl::ResourceExhaustedError("queue full"), '\2'},
      {absl::UnavailableError("spooler down"), '\2'},
      {absl::DeadlineExceededError("slow"), '\2'},
      {absl::CancelledError("cancelled"), '\2'},
      {absl::InternalError("bug"), '\2'},
      {absl::UnknownError("?"), '\2'},
      {absl::UnauthenticatedError("admin token"), '\2'},
      {absl::UnimplementedError("old spooler"), '\2'},
      {absl::AbortedError("conflict"), '\2'},
      {absl::AlreadyExistsError("dup"), '\2'},
      // 3: the job itself is bad (do not retry)
      {absl::InvalidArgumentError("bad"), '\3'},
      {absl::DataLossError("cut"), '\3'},
      {absl::OutOfRangeError("too long"), '\3'},
  };
  for (const Row& row : rows) EXPECT_EQ(AckFor(row.status), row.ack) << row.status;
}

}  // namespace
}  // namespace spoolgate::lpd
