#include "services/spooler/active_jobs.h"

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spoolgate::spooler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::Job MakeJob(uint64_t id, const std::string& queue, int priority,
                v1::JobState state = v1::JOB_STATE_PENDING) {
  v1::Job job;
  job.set_id(id);
  job.set_queue(queue);
  job.set_priority(priority);
  job.set_state(state);
  return job;
}

std::vector<uint64_t> Listing(const ActiveJobs& jobs, const std::string& queue,
                              std::optional<QueuePlace> after = std::nullopt, size_t limit = 100) {
  std::vector<uint64_t> ids;
  jobs.ForEachInQueue(queue, after, [&](const v1::Job& job) {
    ids.push_back(job.id());
    return ids.size() < limit;
  });
  return ids;
}

uint64_t Next(const ActiveJobs& jobs, const std::string& queue, const std::string& printer = "a/p",
              std::vector<uint64_t> skipped = {}) {
  return jobs.NextToPrint(queue, printer, [&](uint64_t id) {
    return std::find(skipped.begin(), skipped.end(), id) != skipped.end();
  });
}

TEST(ActiveJobsTest, ListsPrintingThenPendingThenHeldEachByPriorityThenAge) {
  ActiveJobs jobs;
  jobs.Put(MakeJob(1, "office", 0));
  jobs.Put(MakeJob(2, "office", 9));
  jobs.Put(MakeJob(3, "office", 0, v1::JOB_STATE_HELD));
  jobs.Put(MakeJob(4, "office", 0, v1::JOB_STATE_PRINTING));
  jobs.Put(MakeJob(5, "office", 0));
  jobs.Put(MakeJob(6, "other", 0));
  EXPECT_THAT(Listing(jobs, "office"), ElementsAre(4, 2, 1, 5, 3));
  EXPECT_THAT(Listing(jobs, "other"), ElementsAre(6));
  EXPECT_THAT(Listing(jobs, "none"), IsEmpty());
  EXPECT_EQ(jobs.Count("office", v1::JOB_STATE_PENDING), 3u);
  EXPECT_EQ(jobs.Count("office", v1::JOB_STATE_HELD), 1u);
  EXPECT_EQ(jobs.CountInQueue("office"), 5u);
}

TEST(ActiveJobsTest, AListingResumesAfterAPlaceEvenIfThatJobIsGone) {
  ActiveJobs jobs;
  for (uint64_t id = 1; id <= 6; ++id) jobs.Put(MakeJob(id, "office", 0));
  auto page = Listing(jobs, "office", std::nullopt, 2);
  ASSERT_THAT(page, ElementsAre(1, 2));
  auto place = PlaceOf(*jobs.Find(2));
  jobs.Erase(2);
  jobs.Erase(3);
  EXPECT_THAT(Listing(jobs, "office", place), ElementsAre(4, 5, 6));
  // From the pending part into the held part.
  jobs.Put(MakeJob(7, "office", 0, v1::JOB_STATE_HELD));
  EXPECT_THAT(Listing(jobs, "office", PlaceOf(*jobs.Find(6))), ElementsAre(7));
}

TEST(ActiveJobsTest, PositionCountsPrintingAndPendingAhead) {
  ActiveJobs jobs;
  jobs.Put(MakeJob(1, "office", 0, v1::JOB_STATE_PRINTING));
  jobs.Put(MakeJob(2, "office", 0));
  jobs.Put(MakeJob(3, "office", 5));
  jobs.Put(MakeJob(4, "office", 0, v1::JOB_STATE_HELD));
  EXPECT_EQ(jobs.Position(MakeJob(10, "office", 0)), 3u);  // a new job goes last
  EXPECT_EQ(jobs.Position(MakeJob(10, "office", 5)), 2u);  // behind 1 and 3
  EXPECT_EQ(jobs.Position(*jobs.Find(2)), 2u);
  EXPECT_EQ(jobs.Position(MakeJob(10, "empty", 0)), 0u);
}

TEST(ActiveJobsTest, ChangesMoveAJobBetweenOrders) {
  ActiveJobs jobs;
  jobs.Put(MakeJob(1, "office", 0));
  jobs.Put(MakeJob(2, "office", 0));
  v1::Job held = *jobs.Find(1);
  held.set_state(v1::JOB_STATE_HELD);
  jobs.Put(held);
  EXPECT_THAT(Listing(jobs, "office"), ElementsAre(2, 1));
  EXPECT_EQ(Next(jobs, "office"), 2u);
  v1::Job moved = *jobs.Find(2);
  moved.set_queue("other");
  jobs.Put(moved);
  EXPECT_EQ(Next(jobs, "office"), 0u);
  EXPECT_EQ(Next(jobs, "other"), 2u);
  v1::Job urgent = held;
  urgent.set_state(v1::JOB_STATE_PENDING);
  urgent.set_priority(20);
  jobs.Put(urgent);
  EXPECT_EQ(Next(jobs, "office"), 1u);
  jobs.Erase(1);
  EXPECT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.CountInQueue("office"), 0u);
}

TEST(ActiveJobsTest, NextToPrintIsTheBestReadyJobOfTheQueue) {
  ActiveJobs jobs;
  jobs.Put(MakeJob(1, "office", 0));
  jobs.Put(MakeJob(2, "office", 3));
  jobs.Put(MakeJob(3, "office", 3));
  jobs.Put(MakeJob(4, "office", 0, v1::JOB_STATE_PRINTING));
  EXPECT_EQ(Next(jobs, "office"), 2u);
  EXPECT_EQ(Next(jobs, "office", "a/p", {2}), 3u);     // 2 is sent ahead elsewhere
  EXPECT_EQ(Next(jobs, "office", "a/p", {1, 2, 3}), 0u);  // printing jobs never
  EXPECT_EQ(Next(jobs, "other"), 0u);
}

TEST(ActiveJobsTest, JobsInBackoffWaitUntilItEnds) {
  ActiveJobs jobs;
  v1::Job retry = MakeJob(1, "office", 0);
  retry.set_not_before_unix_micros(absl::ToUnixMicros(absl::FromUnixSeconds(100)));
  jobs.Put(retry);
  jobs.Put(MakeJob(2, "office", 0));
  EXPECT_EQ(Next(jobs, "office"), 2u);
  EXPECT_THAT(Listing(jobs, "office"), ElementsAre(1, 2));  // still listed in order
  jobs.WakeDue(absl::FromUnixSeconds(99));
  EXPECT_EQ(Next(jobs, "office", "a/p", {2}), 0u);
  jobs.WakeDue(absl::FromUnixSeconds(100));
  EXPECT_EQ(Next(jobs, "office"), 1u);
}

TEST(ActiveJobsTest, APinnedJobWaitsForItsPrinterAndTheOthersGoOn) {
  ActiveJobs jobs;
  v1::Job pinned = MakeJob(1, "office", 0);
  pinned.set_retry_on_printer("a/one");
  jobs.Put(pinned);
  jobs.Put(MakeJob(2, "office", 0));
  EXPECT_EQ(Next(jobs, "office", "a/two"), 2u);
  EXPECT_EQ(Next(jobs, "office", "a/one"), 1u);
}

TEST(ActiveJobsTest, TheOrdersStayCheapWithManyJobs) {
  ActiveJobs jobs;
  for (uint64_t id = 1; id <= 100000; ++id) jobs.Put(MakeJob(id, "big", 0));
  EXPECT_EQ(jobs.Position(MakeJob(200000, "big", 0)), 100000u);
  EXPECT_EQ(Next(jobs, "big"), 1u);
  EXPECT_THAT(Listing(jobs, "big", PlaceOf(*jobs.Find(99998))), ElementsAre(99999, 100000));
}

}  // namespace
}  // namespace spoolgate::spooler
