// Filters against golden files in testdata/ (NAME.in -> NAME.out), whole
// and fed one byte at a time.
#include "services/printer-agent/filters/text_filters.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace spoolgate::agent {
namespace {

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(SPOOLGATE_TESTDATA) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Filtered(Filter& filter, const std::string& input, bool bytewise) {
  std::string out;
  Sink sink = [&](absl::string_view d) {
    out.append(d.data(), d.size());
    return absl::OkStatus();
  };
  if (bytewise) {
    for (char c : input) EXPECT_TRUE(filter.Write(std::string(1, c), sink).ok());
  } else {
    EXPECT_TRUE(filter.Write(input, sink).ok());
  }
  EXPECT_TRUE(filter.Finish(sink).ok());
  return out;
}

FilterOptions PrOptions() {
  FilterOptions o;
  o.title = "report.txt";
  o.page_lines = 14;  // 5 header + 4 body + 5 trailer
  o.width = 40;
  o.date = absl::FromCivil(absl::CivilSecond(2026, 11, 22, 9, 30, 0), absl::UTCTimeZone());
  return o;
}

struct Case {
  const char* name;
  const char* format;
  FilterOptions options;
};

class GoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(GoldenTest, MatchesGoldenWholeAndBytewise) {
  const Case& c = GetParam();
  std::string input = Golden(std::string(c.name) + ".in");
  std::string want = Golden(std::string(c.name) + ".out");
  for (bool bytewise : {false, true}) {
    bool rendered = false;
    auto filter = MakeFilter(c.format, c.options, &rendered);
    EXPECT_TRUE(rendered);
    EXPECT_EQ(Filtered(*filter, input, bytewise), want) << c.name << (bytewise ? " bytewise" : "");
  }
}

FilterOptions Indented() {
  FilterOptions o;
  o.indent = 4;
  o.width = 12;
  return o;
}

INSTANTIATE_TEST_SUITE_P(Filters, GoldenTest,
                         ::testing::Values(Case{"formatted", "f", FilterOptions()},
                                           Case{"formatted_indent_width", "f", Indented()},
                                           Case{"pr_two_pages", "p", PrOptions()},
                                           Case{"fortran", "r", FilterOptions()},
                                           Case{"raw_binary", "l", FilterOptions()}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TextFiltersTest, WidthCountsUtf8CharactersAndNeverCutsOne) {
  FilterOptions o;
  o.width = 5;
  o.indent = 2;
  // "Grüße, Straße" in UTF-8: 13 characters, 16 bytes.
  const std::string utf8 = "Gr\xC3\xBC\xC3\x9F" "e, Stra\xC3\x9F" "e\n";
  for (bool bytewise : {false, true}) {
    FormattedFilter f(o);
    EXPECT_EQ(Filtered(f, utf8, bytewise), "  Gr\xC3\xBC\xC3\x9F" "e\n") << bytewise;
  }
  // Latin-1 has no sequences: one byte, one column.
  FormattedFilter latin1(o);
  EXPECT_EQ(Filtered(latin1, "Gr\xFC\xDF" "e, Stra\xDF" "e\n", false), "  Gr\xFC\xDF" "e\n");
  // A character that would cross the width goes whole.
  o.width = 3;
  FormattedFilter cut(o);
  EXPECT_EQ(Filtered(cut, "ab\xE2\x82\xAC\xE2\x82\xAC\n", true), "  ab\xE2\x82\xAC\n");
}

TEST(TextFiltersTest, PrTitleIsCutByCharacters) {
  FilterOptions o = PrOptions();
  o.title = "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4";
  PrFilter f(o);
  std::string out = Filtered(f, "x\n", false);
  std::string header = out.substr(2, out.find('\n', 2) - 2);
  // 40 columns: date (16) + title + page ("Page 1"), whatever the byte count.
  size_t columns = 0;
  for (unsigned char c : header) columns += (c & 0xC0) != 0x80;
  EXPECT_EQ(columns, 40u) << header;
  for (size_t i = 0; i + 1 < header.size(); ++i) {
    if (static_cast<unsigned char>(header[i]) == 0xC3) {
      EXPECT_EQ(static_cast<unsigned char>(header[i + 1]), 0xA4);
    }
  }
}

TEST(TextFiltersTest, UnrenderableFormatsPassThroughAndSaySo) {
  for (const char* format : {"c", "d", "g", "n", "t", "v", "?"}) {
    bool rendered = true;
    auto filter = MakeFilter(format, FilterOptions(), &rendered);
    EXPECT_FALSE(rendered) << format;
    std::string data("\x00\x01troff\xff", 8);
    EXPECT_EQ(Filtered(*filter, data, false), data);
  }
}

TEST(TextFiltersTest, PrCountsItsPagesOthersDoNotKnow) {
  bool rendered;
  auto pr = MakeFilter("p", PrOptions(), &rendered);  // 4 body lines a page
  Filtered(*pr, "1\n2\n3\n4\n5\n6\n7\n8\n9\n", false);
  EXPECT_EQ(pr->pages(), 3);
  auto plain = MakeFilter("l", PrOptions(), &rendered);
  Filtered(*plain, "1\n2\n", false);
  EXPECT_EQ(plain->pages(), 0);
}

TEST(TextFiltersTest, EmptyInputPrintsNothing) {
  for (const char* format : {"f", "p", "r", "l"}) {
    bool rendered;
    auto filter = MakeFilter(format, PrOptions(), &rendered);
    EXPECT_EQ(Filtered(*filter, "", false), "") << format;
  }
}

TEST(TextFiltersTest, BannerPageNamesTheJobAndEndsInFormFeed) {
  BannerInfo info;
  info.user = "alice";
  info.job_name = "quarterly.pdf";
  info.job_class = "finance";
  info.host = "ws1";
  info.job_id = 42;
  info.date = absl::FromUnixSeconds(0);
  std::string page = BannerPage(info);
  EXPECT_NE(page.find("User:   alice"), std::string::npos);
  EXPECT_NE(page.find("Job:    quarterly.pdf"), std::string::npos);
  EXPECT_NE(page.find("Class:  finance"), std::string::npos);
  EXPECT_NE(page.find("Job id: 42"), std::string::npos);
  EXPECT_NE(page.find("1970-01-01 00:00:00"), std::string::npos);
  EXPECT_EQ(page.back(), '\f');
}

}  // namespace
}  // namespace spoolgate::agent
