#include "services/ftp-gateway/host_port.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace spoolgate::ftp {
namespace {
using ::spoolgate::testing::StatusIs;

TEST(HostPortTest, ParsesPortAndEprt) {
  auto port = ParsePortArgument("127,0,0,1,154,117");  // curl_active_disable_eprt.log
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->ip, "127.0.0.1");
  EXPECT_EQ(port->port, 154 * 256 + 117);
  auto eprt = ParseEprtArgument("|1|127.0.0.1|36255|");  // curl_bin_active.log
  ASSERT_TRUE(eprt.ok());
  EXPECT_EQ(eprt->port, 36255);
  auto v6 = ParseEprtArgument("!2!::1!5000!");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->ip, "::1");
}

TEST(HostPortTest, RefusesMalformedAddresses) {
  for (const char* bad : {"", "1,2,3,4,5", "256,0,0,1,1,1", "a,b,c,d,e,f", "127,0,0,1,0,0"}) {
    EXPECT_THAT(ParsePortArgument(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  for (const char* bad : {"", "|1|127.0.0.1|", "|1|::1|5000|", "|2|1.2.3.4|5000|",
                          "|1|127.0.0.1|0|", "|1|127.0.0.1|70000|", "|1|name|21|"}) {
    EXPECT_THAT(ParseEprtArgument(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(ParseEprtArgument("|3|x|21|"), StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(HostPortTest, FormatsPassiveReplies) {
  EXPECT_EQ(*FormatPasvReply({"192.0.2.7", 30001}), "Entering Passive Mode (192,0,2,7,117,49).");
  EXPECT_THAT(FormatPasvReply({"::1", 30001}), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(FormatEpsvReply(30001), "Entering Extended Passive Mode (|||30001|)");
}

TEST(HostPortTest, ComparesAddressesAcrossFamilies) {
  EXPECT_TRUE(SameAddress("127.0.0.1", "::ffff:127.0.0.1"));
  EXPECT_TRUE(SameAddress("::1", "0:0::1"));
  EXPECT_FALSE(SameAddress("127.0.0.1", "127.0.0.2"));
  EXPECT_FALSE(SameAddress("127.0.0.1", "localhost"));
}

}  // namespace
}  // namespace spoolgate::ftp
