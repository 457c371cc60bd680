#include "services/spooler/job_keys.h"

#include <gtest/gtest.h>

namespace spoolgate::spooler {
namespace {

TEST(JobKeysTest, JobKeysSortNumerically) {
  EXPECT_LT(JobKey(9), JobKey(10));
  EXPECT_LT(JobKey(255), JobKey(256));
  EXPECT_EQ(ParseJobKey(JobKey(123456789)), 123456789u);
  EXPECT_FALSE(ParseJobKey("short").has_value());
}

TEST(JobKeysTest, FinishedKeysSortByTimeThenIdAndRoundTrip) {
  EXPECT_LT(FinishedKey(999, 50), FinishedKey(1000, 1));
  EXPECT_LT(FinishedKey(1000, 9), FinishedKey(1000, 10));
  auto parts = ParseFinishedKey(FinishedKey(1700000000123456, 42));
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->finished_unix_micros, 1700000000123456);
  EXPECT_EQ(parts->job_id, 42u);
  EXPECT_FALSE(ParseFinishedKey(JobKey(42)).has_value());
}

TEST(JobKeysTest, DataKeysRoundTripAndStayInsideTheirJobRange) {
  std::string key = DataKey(7, 2, 1 << 20);
  auto parts = ParseDataKey(key);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->job_id, 7u);
  EXPECT_EQ(parts->document, 2u);
  EXPECT_EQ(parts->offset, 1u << 20);
  EXPECT_LE(DataJobBegin(7), key);
  EXPECT_LT(key, DataJobEnd(7));
  EXPECT_LT(DataKey(7, 0, 1000), DataKey(7, 1, 0));
  EXPECT_LE(DataJobEnd(7), DataKey(8, 0, 0));
}

}  // namespace
}  // namespace spoolgate::spooler
