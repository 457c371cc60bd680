#include "services/ftp-gateway/ftp_command.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace spoolgate::ftp {
namespace {
using ::spoolgate::testing::StatusIs;

TEST(FtpCommandTest, SplitsVerbAndArgument) {
  auto c = ParseFtpCommand("stor my file.txt\r");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->verb, "STOR");
  EXPECT_EQ(c->arg, "my file.txt");
  auto bare = ParseFtpCommand("PASV");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->arg, "");
}

TEST(FtpCommandTest, DropsTelnetSequencesBeforeAbor) {
  auto c = ParseFtpCommand("\xff\xf4\xff\xf2" "ABOR");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->verb, "ABOR");
}

TEST(FtpCommandTest, KeepsEveryByteThatIsNotATelnetCommand) {
  // ò ô ÿ in Latin-1 are 0xF2 0xF4 0xFF; only IAC introduces a command.
  auto latin1 = ParseFtpCommand("STOR Bericht M\xE4rz \xF2\xF4.txt");
  ASSERT_TRUE(latin1.ok());
  EXPECT_EQ(latin1->arg, "Bericht M\xE4rz \xF2\xF4.txt");
  auto utf8 = ParseFtpCommand("STOR M\xC3\xBCller.txt");
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(utf8->arg, "M\xC3\xBCller.txt");
  auto y_umlaut = ParseFtpCommand("STOR \xFF\xFF.txt");  // IAC IAC = one 0xFF
  ASSERT_TRUE(y_umlaut.ok());
  EXPECT_EQ(y_umlaut->arg, "\xFF.txt");
}

TEST(FtpCommandTest, StripsTelnetNegotiation) {
  EXPECT_EQ(StripTelnetCommands("\xFF\xFB\x01NOOP"), "NOOP");             // IAC WILL ECHO
  EXPECT_EQ(StripTelnetCommands("NO\xFF\xFA\x18\x01\xFF\xF0OP"), "NOOP"); // subnegotiation
  EXPECT_EQ(StripTelnetCommands("NOOP\xFF"), "NOOP");
  EXPECT_EQ(StripTelnetCommands("a\xFF\xF1" "b"), "ab");                  // IAC NOP
  EXPECT_EQ(StripTelnetCommands("\xFF.txt"), "\xFF.txt");                // unescaped 0xFF is data
}

TEST(FtpCommandTest, RefusesGarbage) {
  EXPECT_THAT(ParseFtpCommand(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFtpCommand("\x01\x02\x03"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFtpCommand("ST0R x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFtpCommand("VERYLONGVERB x"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FtpCommandTest, FormatsSingleAndMultiLineReplies) {
  EXPECT_EQ(FormatReply({200, {"ok"}}), "200 ok\r\n");
  EXPECT_EQ(FormatReply({226, {"Job 7 queued", "Transfer complete"}}),
            "226-Job 7 queued\r\n226 Transfer complete\r\n");
  // A middle line starting with a digit is indented so it cannot end the reply.
  EXPECT_EQ(FormatReply({211, {"Features:", "EPSV", "226 lookalike", "End"}}),
            "211-Features:\r\nEPSV\r\n 226 lookalike\r\n211 End\r\n");
}

TEST(FtpCommandTest, RepliesNeverCarryControlBytesAClientSent) {
  EXPECT_EQ(FormatReply({550, {std::string("No such queue: a\0b\x1b[2J\x7f", 23)}}),
            "550 No such queue: a?b?[2J?\r\n");
  EXPECT_EQ(FormatReply({226, {"Job 1 \x01", "done\x02"}}), "226-Job 1 ?\r\n226 done?\r\n");
}

}  // namespace
}  // namespace spoolgate::ftp
