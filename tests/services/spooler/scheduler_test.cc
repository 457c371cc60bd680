#include "services/spooler/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spoolgate::spooler {
namespace {

SchedulableJob Job(uint64_t id, const std::string& queue, int priority,
                   v1::JobState state = v1::JOB_STATE_PENDING) {
  return SchedulableJob{id, queue, priority, state, absl::InfinitePast()};
}

std::vector<uint64_t> Ids(const std::vector<Assignment>& assignments) {
  std::vector<uint64_t> ids;
  for (const auto& a : assignments) ids.push_back(a.job_id);
  return ids;
}

const absl::Time kNow = absl::FromUnixSeconds(1000000);

TEST(SchedulerTest, HigherPriorityFirstThenFifo) {
  std::vector<IdlePrinter> printers(4, IdlePrinter{"office"});
  auto out = Schedule({Job(3, "office", 0), Job(1, "office", 0), Job(5, "office", 25),
                       Job(4, "office", 25), Job(2, "office", 10)},
                      printers, kNow);
  EXPECT_THAT(Ids(out), ::testing::ElementsAre(4, 5, 2, 1));
}

TEST(SchedulerTest, OnePrinterTakesOnlyTheBestJob) {
  auto out = Schedule({Job(1, "office", 0), Job(2, "office", 1)}, {IdlePrinter{"office"}}, kNow);
  EXPECT_THAT(Ids(out), ::testing::ElementsAre(2));
}

TEST(SchedulerTest, SeveralPrintersOfOneQueueShareItsJobs) {
  auto out = Schedule({Job(1, "office", 0), Job(2, "office", 0), Job(3, "office", 0)},
                      {IdlePrinter{"office"}, IdlePrinter{"office"}}, kNow);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].job_id, 1u);
  EXPECT_EQ(out[0].printer, 0u);
  EXPECT_EQ(out[1].job_id, 2u);
  EXPECT_EQ(out[1].printer, 1u);
}

TEST(SchedulerTest, PrintersOnlyTakeTheirOwnQueue) {
  auto out = Schedule({Job(1, "lab", 9), Job(2, "office", 0)},
                      {IdlePrinter{"office"}, IdlePrinter{"plotter"}}, kNow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].job_id, 2u);
  EXPECT_EQ(out[0].printer, 0u);
}

TEST(SchedulerTest, HeldAndPrintingJobsAreSkipped) {
  auto out = Schedule({Job(1, "office", 9, v1::JOB_STATE_HELD),
                       Job(2, "office", 9, v1::JOB_STATE_PRINTING), Job(3, "office", 0)},
                      {IdlePrinter{"office"}, IdlePrinter{"office"}}, kNow);
  EXPECT_THAT(Ids(out), ::testing::ElementsAre(3));
}

TEST(SchedulerTest, JobsInBackoffWaitUntilItEnds) {
  SchedulableJob backing_off = Job(1, "office", 25);
  backing_off.not_before = kNow + absl::Seconds(10);
  auto out = Schedule({backing_off, Job(2, "office", 0)}, {IdlePrinter{"office"}}, kNow);
  EXPECT_THAT(Ids(out), ::testing::ElementsAre(2));
  out = Schedule({backing_off}, {IdlePrinter{"office"}}, kNow + absl::Seconds(10));
  EXPECT_THAT(Ids(out), ::testing::ElementsAre(1));
}

TEST(SchedulerTest, NothingToDoWithoutPrintersOrJobs) {
  EXPECT_TRUE(Schedule({Job(1, "office", 0)}, {}, kNow).empty());
  EXPECT_TRUE(Schedule({}, {IdlePrinter{"office"}}, kNow).empty());
}

TEST(SchedulerTest, APinnedJobWaitsForItsPrinterAndTheOthersGoOn) {
  SchedulableJob pinned = Job(1, "office", 5);
  pinned.only_printer = "a1/p";
  std::vector<IdlePrinter> other_only = {IdlePrinter{"office", "a2/p"}};
  // Another printer takes the next job, not the pinned one.
  EXPECT_THAT(Ids(Schedule({pinned, Job(2, "office", 0)}, other_only, kNow)),
              ::testing::ElementsAre(2u));
  EXPECT_TRUE(Schedule({pinned}, other_only, kNow).empty());
  // Its own printer takes it first, even listed after the other one.
  auto out = Schedule({pinned, Job(2, "office", 0)},
                      {IdlePrinter{"office", "a2/p"}, IdlePrinter{"office", "a1/p"}}, kNow);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].job_id, 2u);
  EXPECT_EQ(out[0].printer, 0u);
  EXPECT_EQ(out[1].job_id, 1u);
  EXPECT_EQ(out[1].printer, 1u);
}

}  // namespace
}  // namespace spoolgate::spooler
