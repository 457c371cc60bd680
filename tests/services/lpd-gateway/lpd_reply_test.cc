#include "services/lpd-gateway/lpd_reply.h"

#include <gtest/gtest.h>

namespace spoolgate::lpd {
namespace {

TEST(LpdReplyTest, MapsStatusesToLprngCodes) {
  EXPECT_EQ(AckFor(absl::OkStatus()), '\0');
  EXPECT_EQ(AckFor(absl::NotFoundError("no queue")), '\1');
  EXPECT_EQ(AckFor(absl::FailedPreconditionError("rejecting")), '\1');
  EXPECT_EQ(AckFor(absl::PermissionDeniedError("host")), '\1');
  EXPECT_EQ(AckFor(absl::ResourceExhaustedError("full")), '\2');
  EXPECT_EQ(AckFor(absl::UnavailableError("spooler down")), '\2');
  EXPECT_EQ(AckFor(absl::DeadlineExceededError("slow")), '\2');
  EXPECT_EQ(AckFor(absl::InvalidArgumentError("bad")), '\3');
  EXPECT_EQ(AckFor(absl::DataLossError("cut")), '\3');
}

}  // namespace
}  // namespace spoolgate::lpd
