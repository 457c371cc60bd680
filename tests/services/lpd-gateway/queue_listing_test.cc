#include "services/lpd-gateway/queue_listing.h"

#include <gtest/gtest.h>

namespace spoolgate::lpd {
namespace {

std::vector<ListingEntry> Entries() {
  return {{12, "alice", "ws1", true, {{"report.txt", 1234}}},
          {13, "bob", "ws2", false, {{"(stdin)", 99}}},
          {14, "alice", "ws1", false, {{"a.txt", 10}, {"b.txt", 20}}}};
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
