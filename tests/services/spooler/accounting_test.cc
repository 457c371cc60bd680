#include "services/spooler/accounting.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "lib/text/display_json.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::ReadFile;
using ::spoolgate::testing::TempDir;

v1::Job FinishedJob() {
  v1::Job job;
  job.set_id(42);
  job.set_queue("office");
  job.set_state(v1::JOB_STATE_COMPLETED);
  job.set_user("alice");
  job.set_host("pc7");
  job.set_title("Bericht");
  job.mutable_origin()->set_protocol("lpd");
  job.mutable_origin()->set_peer("127.0.0.1:721");
  auto* a = job.add_documents();
  a->set_name("a.txt");
  a->set_format("f");
  a->set_size_bytes(100);
  a->set_copies(3);
  auto* b = job.add_documents();
  b->set_name("b.ps");
  b->set_format("l");
  b->set_size_bytes(50);
  job.set_total_bytes(150);
  job.set_attempts(2);
  job.set_printer("agent1/laser");
  job.set_submitted_unix_micros(1000);
  job.set_started_unix_micros(2000);
  job.set_finished_unix_micros(3000);
  job.set_last_error("an earlier attempt's error");
  return job;
}

TEST(AccountingTest, RecordOfACompletedJob) {
  v1::AccountingRecord r = AccountingRecordFor(FinishedJob());
  EXPECT_EQ(r.job_id(), 42u);
  EXPECT_EQ(r.queue(), "office");
  EXPECT_EQ(r.printer(), "agent1/laser");
  EXPECT_EQ(r.user(), "alice");
  EXPECT_EQ(r.host(), "pc7");
  EXPECT_EQ(r.title(), "Bericht");
  EXPECT_EQ(r.protocol(), "lpd");
  ASSERT_EQ(r.documents_size(), 2);
  EXPECT_EQ(r.documents(0).copies(), 3u);
  EXPECT_EQ(r.documents(1).copies(), 1u);  // 0 is read as 1
  EXPECT_EQ(r.bytes(), 150u);
  EXPECT_EQ(r.bytes_printed(), 350u);  // 3 x 100 + 50
  EXPECT_EQ(r.copies(), 3u);
  EXPECT_EQ(r.attempts(), 2u);
  EXPECT_EQ(r.submitted_unix_micros(), 1000);
  EXPECT_EQ(r.started_unix_micros(), 2000);
  EXPECT_EQ(r.finished_unix_micros(), 3000);
  EXPECT_EQ(r.outcome(), "completed");
  EXPECT_EQ(r.reason(), "");  // a completed job has no reason, whatever came before
}

TEST(AccountingTest, RecordOfACancelledJobThatNeverPrinted) {
  v1::Job job = FinishedJob();
  job.set_state(v1::JOB_STATE_CANCELLED);
  job.set_attempts(0);
  job.set_last_error("cancelled by root");
  v1::AccountingRecord r = AccountingRecordFor(job);
  EXPECT_EQ(r.outcome(), "cancelled");
  EXPECT_EQ(r.reason(), "cancelled by root");
  EXPECT_EQ(r.started_unix_micros(), 0);
  EXPECT_EQ(r.bytes_printed(), 0u);
}

TEST(AccountingLogTest, AppendsJsonLinesAndReopensAfterRotation) {
  TempDir dir;
  std::string path = dir.Sub("accounting.log");
  auto log = AccountingLog::Open(path);
  ASSERT_THAT(log.status(), IsOk());
  v1::AccountingRecord r = AccountingRecordFor(FinishedJob());
  ASSERT_THAT((*log)->Append(r), IsOk());
  ASSERT_EQ(std::rename(path.c_str(), dir.Sub("accounting.log.1").c_str()), 0);
  ASSERT_THAT((*log)->Reopen(), IsOk());
  r.set_job_id(43);
  ASSERT_THAT((*log)->Append(r), IsOk());

  std::string rotated = ReadFile(dir.Sub("accounting.log.1"));
  std::string fresh = ReadFile(path);
  ASSERT_EQ(std::count(rotated.begin(), rotated.end(), '\n'), 1);
  ASSERT_EQ(std::count(fresh.begin(), fresh.end(), '\n'), 1);
  v1::AccountingRecord back;
  ASSERT_TRUE(text::ParseDisplayJson(fresh.substr(0, fresh.size() - 1), &back).ok());
  EXPECT_EQ(back.job_id(), 43u);
  EXPECT_EQ(back.title(), "Bericht");
  EXPECT_NE(rotated.find("\"job_id\":\"42\""), std::string::npos) << rotated;
}

}  // namespace
}  // namespace spoolgate::spooler
