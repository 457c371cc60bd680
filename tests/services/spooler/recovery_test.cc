#include "services/spooler/recovery.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;
using ::spoolgate::testing::TempDir;

size_t DataBytes(JobStore& store, uint64_t job) {
  size_t n = 0;
  EXPECT_THAT(store.ReadDocument(job, 0, 0, [&](uint64_t, absl::string_view d) {
    n += d.size();
    return true;
  }), IsOk());
  return n;
}

TEST(RecoveryTest, AppliesTheStartupRules) {
  TempDir dir;
  JobStore::Options options;
  options.path = dir.path();
  auto store = *JobStore::Open(options);
  auto put = [&](uint64_t id, v1::JobState state) {
    v1::Job job;
    job.set_id(id);
    job.set_queue("office");
    job.set_state(state);
    if (state == v1::JOB_STATE_PRINTING) {
      job.set_attempts(1);
      job.add_history()->set_printer("agent/p1");
    }
    EXPECT_THAT(store->PutJob(nullptr, job, false), IsOk());
    EXPECT_THAT(store->PutChunk(id, 0, 0, "bytes"), IsOk());
  };
  put(1, v1::JOB_STATE_RECEIVING);
  put(2, v1::JOB_STATE_PENDING);
  put(3, v1::JOB_STATE_PRINTING);
  put(4, v1::JOB_STATE_HELD);

  auto report = RecoverStore(*store, absl::FromUnixSeconds(1000));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->purged_receiving, 1u);
  EXPECT_EQ(report->requeued_printing, 1u);
  EXPECT_EQ(report->active.size(), 3u);  // the repaired unfinished jobs

  EXPECT_THAT(store->GetJob(1), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(DataBytes(*store, 1), 0u);
  EXPECT_EQ(store->GetJob(2)->state(), v1::JOB_STATE_PENDING);
  EXPECT_EQ(store->GetJob(4)->state(), v1::JOB_STATE_HELD);
  auto requeued = store->GetJob(3);
  ASSERT_THAT(requeued, IsOk());
  EXPECT_EQ(requeued->state(), v1::JOB_STATE_PENDING);
  EXPECT_EQ(requeued->attempts(), 1u);
  EXPECT_EQ(requeued->history(0).outcome(), "spooler restarted");
  EXPECT_EQ(requeued->history(0).finished_unix_micros(), 1000000000);
  EXPECT_EQ(DataBytes(*store, 3), 5u);  // kept: it will print again
}

}  // namespace
}  // namespace spoolgate::spooler
