#include "services/lpd-gateway/lpd_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace spoolgate::lpd {
namespace {
using ::spoolgate::testing::StatusIs;
using ::testing::ElementsAre;

TEST(LpdCommandTest, ParsesEveryDaemonCommand) {
  auto receive = ParseDaemonCommand("\002office");
  ASSERT_TRUE(receive.ok());
  EXPECT_EQ(receive->code, DaemonCode::kReceiveJob);
  EXPECT_EQ(receive->queue, "office");
  auto shortq = ParseDaemonCommand("\003office alice 12");
  ASSERT_TRUE(shortq.ok());
  EXPECT_EQ(shortq->code, DaemonCode::kShortQueue);
  EXPECT_THAT(shortq->list, ElementsAre("alice", "12"));
  auto longq = ParseDaemonCommand("\004office\r");
  ASSERT_TRUE(longq.ok());
  EXPECT_EQ(longq->code, DaemonCode::kLongQueue);
  EXPECT_TRUE(longq->list.empty());
  auto remove = ParseDaemonCommand("\005office bob 7 8");
  ASSERT_TRUE(remove.ok());
  EXPECT_EQ(remove->agent, "bob");
  EXPECT_THAT(remove->list, ElementsAre("7", "8"));
  EXPECT_EQ(ParseDaemonCommand("\001office")->code, DaemonCode::kPrintWaiting);
}

TEST(LpdCommandTest, ToleratesTabsAndRepeatedSpaces) {
  auto c = ParseDaemonCommand("\003office \t alice   12 ");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->list, ElementsAre("alice", "12"));
}

TEST(LpdCommandTest, VerticalTabAndFormFeedSeparateOperandsToo) {
  // RFC 1179 3.1: white space is SP, HT, VT and FF.
  auto c = ParseDaemonCommand("\005office\vroot\f-all\v\f12");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->queue, "office");
  EXPECT_EQ(c->agent, "root");
  EXPECT_THAT(c->list, ElementsAre("-all", "12"));
}

TEST(LpdCommandTest, RefusesMalformedCommands) {
  for (const char* bad : {"", "\006office", "office", "\002", "\002 ", "\005office"}) {
    EXPECT_THAT(ParseDaemonCommand(bad), StatusIs(absl::StatusCode::kInvalidArgument))
        << static_cast<int>(bad[0]);
  }
}

}  // namespace
}  // namespace spoolgate::lpd
