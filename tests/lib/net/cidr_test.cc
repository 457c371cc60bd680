#include "lib/net/cidr.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace spoolgate::net {
namespace {
using ::spoolgate::testing::StatusIs;

TEST(CidrTest, MatchesIpv4RangesAndSingleAddresses) {
  auto ranges = ParseCidrList({"10.0.0.0/8", "192.0.2.7"});
  ASSERT_TRUE(ranges.ok());
  EXPECT_TRUE(AddressInRanges("10.1.2.3", *ranges));
  EXPECT_TRUE(AddressInRanges("192.0.2.7", *ranges));
  EXPECT_FALSE(AddressInRanges("192.0.2.8", *ranges));
  EXPECT_FALSE(AddressInRanges("11.0.0.1", *ranges));
}

TEST(CidrTest, MatchesIpv6AndIpv4MappedAddresses) {
  auto ranges = ParseCidrList({"::1", "127.0.0.0/8", "fd00::/8"});
  ASSERT_TRUE(ranges.ok());
  EXPECT_TRUE(AddressInRanges("::1", *ranges));
  EXPECT_TRUE(AddressInRanges("::ffff:127.0.0.1", *ranges));
  EXPECT_TRUE(AddressInRanges("fd12::5", *ranges));
  EXPECT_FALSE(AddressInRanges("fe80::1", *ranges));
}

TEST(CidrTest, AcceptsPeerStringsWithPorts) {
  auto ranges = ParseCidrList({"127.0.0.1", "::1"});
  ASSERT_TRUE(ranges.ok());
  EXPECT_TRUE(AddressInRanges("ipv4:127.0.0.1:5515", *ranges));
  EXPECT_TRUE(AddressInRanges("ipv6:[::1]:40000", *ranges));
  EXPECT_TRUE(AddressInRanges("127.0.0.1:721", *ranges));
  EXPECT_EQ(HostOfPeer("[::1]:99"), "::1");
}

TEST(CidrTest, RejectsNamesAndBadPrefixes) {
  EXPECT_THAT(ParseCidr("printer.example"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCidr("10.0.0.0/33"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCidr("10.0.0.0/x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(AddressInRanges("localhost", *ParseCidrList({"127.0.0.1"})));
}

}  // namespace
TEST(IsLoopbackListenTest, OnlyLoopbackAddressesAndUnixSockets) {
  EXPECT_TRUE(IsLoopbackListen("127.0.0.1:7600"));
  EXPECT_TRUE(IsLoopbackListen("127.1.2.3:0"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:7600"));
  EXPECT_TRUE(IsLoopbackListen("localhost:7600"));
  EXPECT_TRUE(IsLoopbackListen("unix:/run/spoolgate.sock"));
  EXPECT_FALSE(IsLoopbackListen("0.0.0.0:7600"));
  EXPECT_FALSE(IsLoopbackListen("[::]:7600"));
  EXPECT_FALSE(IsLoopbackListen("10.0.0.5:7600"));
  EXPECT_FALSE(IsLoopbackListen("spooler.example:7600"));
}

}  // namespace spoolgate::net
