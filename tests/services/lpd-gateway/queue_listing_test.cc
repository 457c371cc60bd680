#include "services/lpd-gateway/queue_listing.h"

#include <gtest/gtest.h>

namespace spoolgate::lpd {
namespace {

std::vector<ListingEntry> Entries() {
  return {{12, "alice", "ws1", true, {{"report.txt", 1234}}, "", ""},
          {13, "bob", "ws2", false, {{"(stdin)", 99}}, "", ""},
          {14, "alice", "ws1", false, {{"a.txt", 10}, {"b.txt", 20}}, "", ""}};
}

TEST(QueueListingTest, ShortFormatIsBsdLpq) {
  EXPECT_EQ(FormatQueueState("office is ready and printing", Entries(), {}, false),
            "office is ready and printing\n"
            "Rank   Owner      Job  Files                                 Total Size\n"
            "active alice      12   report.txt                            1234 bytes\n"
            "1st    bob        13   (stdin)                               99 bytes\n"
            "2nd    alice      14   a.txt, b.txt                          30 bytes\n");
}

TEST(QueueListingTest, LongFormatListsFiles) {
  EXPECT_EQ(FormatQueueState("office is ready", {Entries()[1]}, {}, true),
            "office is ready\n"
            "\n"
            "bob: 1st                                [job 13ws2]\n"
            "        (stdin)                          99 bytes\n");
}

TEST(QueueListingTest, ListSelectsUsersAndJobsButKeepsRanks) {
  EXPECT_EQ(FormatQueueState("office is ready", Entries(), {"14"}, false),
            "office is ready\n"
            "Rank   Owner      Job  Files                                 Total Size\n"
            "2nd    alice      14   a.txt, b.txt                          30 bytes\n");
  EXPECT_EQ(FormatQueueState("office is ready", Entries(), {"carol"}, false),
            "office is ready\nno entries\n");
}

TEST(QueueListingTest, HeldAndFinishedJobsShowTheirStateAndReason) {
  std::vector<ListingEntry> entries = {
      {20, "carol", "ws3", false, {{"held.txt", 5}}, "hold", ""},
      {21, "dave", "ws4", false, {{"paper.txt", 7}}, "failed", "paper jam"},
      {19, "erin", "ws5", false, {{"done.txt", 3}}, "done", ""}};
  std::string out = FormatQueueState("office is ready", entries, {}, false);
  EXPECT_NE(out.find("hold   carol      20   held.txt"), std::string::npos) << out;
  EXPECT_NE(out.find("failed dave       21   paper.txt"), std::string::npos) << out;
  EXPECT_NE(out.find("\n       paper jam\n"), std::string::npos) << out;
  EXPECT_NE(out.find("done   erin       19   done.txt"), std::string::npos) << out;
}

TEST(QueueListingTest, NamesKeepTheirBytesAndColumnsCountCharacters) {
  std::vector<ListingEntry> entries = {
      {30, "M\xFCller", "h", false, {{"Bericht M\xE4rz.txt", 9}}, "", ""},
      {31, "J\xC3\xBCrgen", "h", false, {{"\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4"
                                               "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4"
                                               "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4"
                                               "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4", 1}}, "", ""}};
  std::string out = FormatQueueState("office is ready", entries, {}, false);
  EXPECT_NE(out.find("1st    M\xFCller     30   Bericht M\xE4rz.txt"), std::string::npos) << out;
  // 40 characters cut to 34 and "...", never inside a sequence; padded by characters.
  std::string cut;
  for (int i = 0; i < 34; ++i) cut += "\xC3\xA4";
  EXPECT_NE(out.find("2nd    J\xC3\xBCrgen     31   " + cut + "... 1 bytes"), std::string::npos) << out;
}

TEST(QueueListingTest, RanksHaveEnglishSuffixes) {
  EXPECT_EQ(Rank(1), "1st");
  EXPECT_EQ(Rank(2), "2nd");
  EXPECT_EQ(Rank(3), "3rd");
  EXPECT_EQ(Rank(4), "4th");
  EXPECT_EQ(Rank(11), "11th");
  EXPECT_EQ(Rank(12), "12th");
  EXPECT_EQ(Rank(13), "13th");
  EXPECT_EQ(Rank(21), "21st");
  EXPECT_EQ(Rank(112), "112th");
}

}  // namespace
}  // namespace spoolgate::lpd
