#include "services/lpd-gateway/control_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace spoolgate::lpd {
namespace {
using ::spoolgate::testing::StatusIs;
using ::testing::ElementsAre;

// As LPRng sends it (transcripts/lpd/lprng_lpr_default.log).
constexpr char kLprng[] =
    "Hlocalhost\nProot\nJ/tmp/job.txt\nCA\nLroot\nAroot@localhost+783\n"
    "D2026-11-22-11:56:02.750\nQoffice\nN/tmp/job.txt\nfdfA783localhost\nUdfA783localhost\n";

TEST(ControlFileTest, ParsesLprngControlFile) {
  auto cf = ParseControlFile(kLprng);
  ASSERT_TRUE(cf.ok()) << cf.status();
  EXPECT_EQ(cf->host, "localhost");
  EXPECT_EQ(cf->user, "root");
  EXPECT_EQ(cf->job_name, "/tmp/job.txt");
  EXPECT_EQ(cf->job_class, "A");
  EXPECT_EQ(cf->banner, "root");
  ASSERT_EQ(cf->prints.size(), 1u);
  EXPECT_EQ(cf->prints[0].format, 'f');
  EXPECT_EQ(cf->prints[0].data_file, "dfA783localhost");
  EXPECT_EQ(cf->prints[0].source, "/tmp/job.txt");
  // A, D, Q and U are kept verbatim.
  EXPECT_THAT(cf->other_lines, ElementsAre("Aroot@localhost+783", "D2026-11-22-11:56:02.750",
                                           "Qoffice", "UdfA783localhost"));
}

TEST(ControlFileTest, EveryRfcLineIsTyped) {
  auto cf = ParseControlFile(
      "Hhost\r\nPalice\r\nJjob\nCclass\nLbanner\nMmail\nTtitle\nI8\nW132\n1R\n2I\n3B\n4S\n"
      "Nfirst\npdfA001host\nldfB001host\nldfB001host\nodfC001host\n");
  ASSERT_TRUE(cf.ok()) << cf.status();
  EXPECT_EQ(cf->host, "host");
  EXPECT_EQ(cf->mail, "mail");
  EXPECT_EQ(cf->title, "title");
  EXPECT_EQ(cf->indent, 8);
  EXPECT_EQ(cf->width, 132);
  EXPECT_THAT(cf->fonts, ElementsAre("R", "I", "B", "S"));
  ASSERT_EQ(cf->prints.size(), 4u);
  EXPECT_EQ(cf->prints[0].source, "first");
  EXPECT_EQ(cf->prints[1].source, "");  // N applies to the next print line only
  EXPECT_EQ(cf->prints[3].format, 'o');
}

TEST(ControlFileTest, AnLLineWithoutAUserStillAsksForABanner) {
  auto named = ParseControlFile("Palice\nLbob\nldfA001h\n");
  ASSERT_TRUE(named.ok());
  EXPECT_TRUE(named->has_banner);
  EXPECT_EQ(named->banner, "bob");
  auto bare = ParseControlFile("Palice\nL\nldfA001h\n");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->has_banner);
  EXPECT_EQ(bare->banner, "");
  EXPECT_FALSE(ParseControlFile("Palice\nldfA001h\n")->has_banner);
}

TEST(ControlFileTest, LinesLongerThanTheRfcLimitsAndAnyBytesAreKept) {
  // RFC 1179 7 caps J at 99 octets and P at 31; real clients send more
  // (LPRng: long job names), so nothing is refused or cut.
  std::string long_name(500, 'j');
  auto cf = ParseControlFile("PM\xFCller-with-a-very-long-user-name-indeed\nJ" + long_name +
                             "\nCM\xC3\xA4rz\nHpc-\xE4\nldfA001h\n");
  ASSERT_TRUE(cf.ok()) << cf.status();
  EXPECT_EQ(cf->user, "M\xFCller-with-a-very-long-user-name-indeed");
  EXPECT_EQ(cf->job_name, long_name);
  EXPECT_EQ(cf->job_class, "M\xC3\xA4rz");
  EXPECT_EQ(cf->host, "pc-\xE4");
}

TEST(ControlFileTest, RefusesMissingUserAndBadLines) {
  EXPECT_THAT(ParseControlFile("Hhost\nldfA001host\n"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseControlFile("Palice\nIabc\n"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseControlFile("Palice\nW-5\n"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseControlFile("Palice\nl\n"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseControlFile("Palice\nl../../etc/passwd\n"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ControlFileTest, ControlFileNamesCarryPriorityAndNumber) {
  auto three = ParseControlFileName("cfA783localhost");
  ASSERT_TRUE(three.has_value());
  EXPECT_EQ(three->priority, 0);
  EXPECT_EQ(three->job_number, "783");
  EXPECT_EQ(three->host, "localhost");
  auto six = ParseControlFileName("cfZ123456a.very.long.host.example");
  ASSERT_TRUE(six.has_value());
  EXPECT_EQ(six->priority, 25);
  EXPECT_EQ(six->job_number, "123456");
  EXPECT_FALSE(ParseControlFileName("dfA123host").has_value());
  EXPECT_FALSE(ParseControlFileName("cfa123host").has_value());
  EXPECT_FALSE(ParseControlFileName("cfA1234567host").has_value());
}

}  // namespace
}  // namespace spoolgate::lpd
