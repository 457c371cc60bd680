// JobRecords and Printers on their own, over a real store: the parts
// beneath the spooler's intake, dispatch and admin operations.
#include "services/spooler/job_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/spooler/printers.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::spooler {
namespace {

using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::IsOkAndHolds;
using ::spoolgate::testing::StatusIs;
using ::spoolgate::testing::TempDir;

class PartsTest : public ::testing::Test {
 protected:
  PartsTest() {
    SpoolerOptions options;
    options.data_dir = dir_.path();
    options.max_attempts = 2;
    options.retry_backoff = absl::Seconds(10);
    options.clock = [this] { return now_; };
    JobStore::Options store_options;
    store_options.path = dir_.path();
    state_ = std::make_unique<SpoolerState>(std::move(options), *JobStore::Open(store_options),
                                            *SpoolFiles::Open(dir_.path() + "/spool"), nullptr);
    records_ = std::make_unique<JobRecords>(*state_);
    printers_ = std::make_unique<Printers>(*state_);
  }

  // A PENDING job `id` of queue office, stored and in memory.
  void AddJob(uint64_t id, v1::JobState state = v1::JOB_STATE_PENDING) {
    v1::Job job;
    job.set_id(id);
    job.set_queue("office");
    job.set_state(state);
    if (state == v1::JOB_STATE_PRINTING) {
      job.set_attempts(1);
      job.add_history()->set_printer("a/p");
    }
    ASSERT_THAT(state_->store->PutJob(nullptr, job, true), IsOk());
    absl::MutexLock lock(&state_->mu);
    state_->active.Put(job);
  }

  TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
  std::unique_ptr<SpoolerState> state_;
  std::unique_ptr<JobRecords> records_;
  std::unique_ptr<Printers> printers_;
};

TEST_F(PartsTest, AFinishedJobLeavesMemoryForHistoryWithItsAttemptClosed) {
  AddJob(1, v1::JOB_STATE_PRINTING);
  absl::MutexLock lock(&state_->mu);
  auto done = records_->FinishJobLocked(1, v1::JOB_STATE_CANCELLED, "stop", "cancelled");
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->history(0).outcome(), "cancelled");
  EXPECT_EQ(state_->active.Find(1), nullptr);
  EXPECT_EQ(state_->store->GetJob(1)->state(), v1::JOB_STATE_CANCELLED);
  // A final job cannot end twice.
  EXPECT_THAT(records_->FinishJobLocked(1, v1::JOB_STATE_CANCELLED, "again"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(records_->FinishJobLocked(9, v1::JOB_STATE_CANCELLED, "none"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PartsTest, ARequeueBacksOffThenGivesUpAtTheLimit) {
  AddJob(2, v1::JOB_STATE_PRINTING);
  absl::MutexLock lock(&state_->mu);
  records_->RequeueLocked(2, "paper jam");
  const v1::Job* job = state_->active.Find(2);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->state(), v1::JOB_STATE_PENDING);
  EXPECT_EQ(job->not_before_unix_micros(), absl::ToUnixMicros(now_ + absl::Seconds(10)));
  EXPECT_EQ(state_->store->GetJob(2)->state(), v1::JOB_STATE_PENDING);  // written, not only shown
  v1::Job again = *job;
  again.set_state(v1::JOB_STATE_PRINTING);
  again.set_attempts(2);
  ASSERT_THAT(records_->UpdateJobLocked(again, /*sync=*/false), IsOk());
  records_->RequeueLocked(2, "paper jam");
  EXPECT_EQ(state_->active.Find(2), nullptr);
  EXPECT_EQ(state_->store->GetJob(2)->state(), v1::JOB_STATE_FAILED);
}

TEST_F(PartsTest, PrintersShowAStopOverTheAgentsStatusAndResolveNames) {
  auto agent = std::make_shared<AgentConnection>("a1", "peer", now_);
  auto other = std::make_shared<AgentConnection>("a2", "peer", now_);
  absl::MutexLock lock(&state_->mu);
  for (const auto& [link, names] :
       std::vector<std::pair<std::shared_ptr<AgentConnection>, std::vector<std::string>>>{
           {agent, {"laser", "shared"}}, {other, {"shared"}}}) {
    AttachedAgent attached;
    attached.link = link;
    for (const auto& name : names) {
      PrinterSlot slot;
      slot.status.set_name(name);
      slot.status.set_state(v1::PRINTER_STATE_IDLE);
      attached.printers.push_back(slot);
    }
    state_->agents.push_back(std::move(attached));
  }
  EXPECT_THAT(printers_->ResolvePrinterLocked("laser"), IsOkAndHolds(std::string("a1/laser")));
  EXPECT_THAT(printers_->ResolvePrinterLocked("shared"),
              StatusIs(absl::StatusCode::kInvalidArgument));  // two agents have one
  EXPECT_THAT(printers_->ResolvePrinterLocked("a2/shared"),
              IsOkAndHolds(std::string("a2/shared")));
  EXPECT_THAT(printers_->ResolvePrinterLocked("none"), StatusIs(absl::StatusCode::kNotFound));

  const PrinterSlot& laser = state_->agents.front().printers[0];
  ASSERT_THAT(printers_->StopPrinterLocked("a1/laser", "toner"), IsOk());
  v1::PrinterStatus shown = printers_->EffectiveStatusLocked(*agent, laser);
  EXPECT_EQ(shown.state(), v1::PRINTER_STATE_STOPPED);
  EXPECT_EQ(shown.state_reason(), "toner");
  EXPECT_EQ(state_->store->ListStoppedPrinters()->count("a1/laser"), 1u);  // and recorded
  state_->stopped_printers.erase("a1/laser");
  ASSERT_THAT(printers_->PersistPrinterLocked("a1/laser"), IsOk());
  EXPECT_EQ(printers_->EffectiveStatusLocked(*agent, laser).state(), v1::PRINTER_STATE_IDLE);
  EXPECT_TRUE(state_->store->ListStoppedPrinters()->empty());
}

}  // namespace
}  // namespace spoolgate::spooler
