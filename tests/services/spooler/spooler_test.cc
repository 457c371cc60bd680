// The spooler core in-process: intake rules, dispatch leases and retries,
// admin operations and restart, with a fake clock and no gRPC.
#include "services/spooler/spooler.h"
#include "services/spooler/duplicate_index.h"

#include <algorithm>
#include <map>
#include <filesystem>
#include <fstream>

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/base/checksum.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;
using ::spoolgate::testing::TempDir;
using ::testing::ElementsAre;

class SpoolerTest : public ::testing::Test {
 protected:
  SpoolerTest() { Open(); }

  void Open() {
    spooler_.reset();
    SpoolerOptions options;
    options.data_dir = dir_.path();
    options.min_free_disk_bytes = 0;
    options.housekeeping_period = absl::ZeroDuration();
    options.max_attempts = 3;
    options.retry_backoff = absl::Seconds(10);
    options.lease = absl::Seconds(60);
    options.history = absl::Hours(1);
    options.admin_hosts = {"127.0.0.1"};
    options.inline_job_bytes = 4096;  // small, so tests see both layouts
    options.document_checksum = checksum_;
    options.clock = [this] { return now_; };
    v1::Queue office;
    office.set_name("office");
    office.set_accepting(true);
    office.set_enabled(true);
    options.queues = {office};
    auto spooler = Spooler::Open(options, nullptr);
    ASSERT_THAT(spooler, IsOk());
    spooler_ = *std::move(spooler);
  }

  v1::JobHeader Header(const std::string& queue = "office", int priority = 0) {
    v1::JobHeader header;
    header.set_queue(queue);
    header.set_user("alice");
    header.set_host("ws1");
    header.set_priority(priority);
    return header;
  }

  // Submits a one-document job; returns its id.
  uint64_t Submit(const std::string& data, int priority = 0, const std::string& user = "alice") {
    v1::JobHeader header = Header("office", priority);
    header.set_user(user);
    auto sub = spooler_->BeginJob(header);
    EXPECT_THAT(sub, IsOk());
    if (!sub.ok()) return 0;
    v1::DocumentStart start;
    start.set_name("doc.txt");
    EXPECT_THAT((*sub)->StartDocument(start), IsOk());
    for (size_t i = 0; i < data.size(); i += 1000) {
      EXPECT_THAT((*sub)->AppendChunk(absl::string_view(data).substr(i, 1000)), IsOk());
    }
    auto doc = (*sub)->EndDocument();
    EXPECT_THAT(doc, IsOk());
    EXPECT_EQ(doc->checksum(), Checksum::Of(checksum_, data));
    EXPECT_THAT((*sub)->Commit(), IsOk());
    return (*sub)->job_id();
  }

  std::shared_ptr<AgentConnection> Attach(const std::string& id, int printers = 1) {
    v1::AgentHello hello;
    hello.set_agent_id(id);
    for (int i = 0; i < printers; ++i) {
      auto* p = hello.add_printers();
      p->set_name("p" + std::to_string(i));
      p->set_queue("office");
      p->set_state(v1::PRINTER_STATE_IDLE);
    }
    auto agent = spooler_->AttachAgent(hello, "ipv4:127.0.0.1:1");
    EXPECT_THAT(agent, IsOk());
    return *agent;
  }

  // Job ids assigned to `agent` since the last call.
  std::vector<uint64_t> Assigned(AgentConnection& agent) {
    std::vector<uint64_t> ids;
    v1::SpoolerMessage message;
    while (agent.TryNext(&message)) {
      if (message.has_assign()) ids.push_back(message.assign().job().id());
    }
    return ids;
  }

  absl::Status Report(AgentConnection& agent, uint64_t id, bool ok,
                      v1::FailureDisposition disposition = v1::FAILURE_DISPOSITION_RETRY) {
    v1::AgentMessage message;
    if (ok) {
      message.mutable_completed()->set_job_id(id);
    } else {
      message.mutable_failed()->set_job_id(id);
      message.mutable_failed()->set_error("paper jam");
      message.mutable_failed()->set_disposition(disposition);
    }
    return spooler_->HandleAgentMessage(agent, message);
  }

  v1::JobState State(uint64_t id) { return spooler_->GetJob(id)->state(); }

  // Names of the files in the spool directory.
  std::vector<std::string> SpoolDir() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() + "/spool")) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string Read(uint64_t id, uint32_t document = 0) {
    std::string out;
    EXPECT_THAT(spooler_->ReadDocument(id, document, 0, [&](uint64_t, absl::string_view d) {
      out.append(d.data(), d.size());
      return true;
    }), IsOk());
    return out;
  }

  TempDir dir_;
  ChecksumAlgorithm checksum_ = ChecksumAlgorithm::kXxh3_128;
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
  std::unique_ptr<Spooler> spooler_;
};

TEST_F(SpoolerTest, CommittedJobIsPendingWithItsDocument) {
  uint64_t id = Submit("hello printer");
  auto job = spooler_->GetJob(id);
  ASSERT_THAT(job, IsOk());
  EXPECT_EQ(job->state(), v1::JOB_STATE_PENDING);
  EXPECT_EQ(job->total_bytes(), 13u);
  EXPECT_EQ(job->documents(0).format(), "raw");
  EXPECT_EQ(job->documents(0).checksum(), Checksum::Of(ChecksumAlgorithm::kXxh3_128, "hello printer"));
  EXPECT_EQ(job->documents(0).sha256(), "");  // only with the sha256 checksum
}

// A site that wants a cryptographic digest on record gets SHA-256, in both
// fields, for inline documents and spool files alike.
TEST_F(SpoolerTest, Sha256ChecksumFillsTheOlderFieldToo) {
  checksum_ = ChecksumAlgorithm::kSha256;
  Open();
  std::string large(3 * 4096, 'x');
  for (const std::string& data : {std::string("hello printer"), large}) {
    auto job = spooler_->GetJob(Submit(data));
    ASSERT_THAT(job, IsOk());
    EXPECT_EQ(job->documents(0).storage(), data.size() > 4096 ? v1::DOCUMENT_STORAGE_SPOOL_FILE
                                                              : v1::DOCUMENT_STORAGE_INLINE);
    EXPECT_EQ(job->documents(0).checksum(), Checksum::Of(ChecksumAlgorithm::kSha256, data));
    EXPECT_EQ("sha256:" + job->documents(0).sha256(), job->documents(0).checksum());
  }
}

// LPD data-first: the control file (owner, formats) arrives after the data.
TEST_F(SpoolerTest, UpdateSetsAttributesLearnedAfterTheData) {
  auto sub = *spooler_->BeginJob(Header());
  v1::JobUpdate early;
  (*early.mutable_documents())[1].set_format("f");  // not started yet
  ASSERT_THAT(sub->Update(early), IsOk());
  for (int i = 0; i < 2; ++i) {
    v1::DocumentStart start;
    start.set_name("dfA001host");
    ASSERT_THAT(sub->StartDocument(start), IsOk());
    ASSERT_THAT(sub->AppendChunk("data"), IsOk());
    ASSERT_THAT(sub->EndDocument(), IsOk());
  }
  v1::JobUpdate update;
  update.mutable_header()->set_user("bob");
  update.mutable_header()->set_title("late title");
  update.mutable_header()->set_priority(7);
  (*update.mutable_documents())[0].set_format("l");
  (*update.mutable_documents())[0].set_copies(3);
  ASSERT_THAT(sub->Update(update), IsOk());
  v1::JobUpdate move;
  move.mutable_header()->set_queue("elsewhere");
  EXPECT_THAT(sub->Update(move), StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_THAT(sub->Commit(), IsOk());
  auto job = *spooler_->GetJob(sub->job_id());
  EXPECT_EQ(job.user(), "bob");
  EXPECT_EQ(job.title(), "late title");
  EXPECT_EQ(job.priority(), 7);
  EXPECT_EQ(job.documents(0).format(), "l");
  EXPECT_EQ(job.documents(0).copies(), 3u);
  EXPECT_EQ(job.documents(1).format(), "f");
}

TEST_F(SpoolerTest, RefusesUnknownQueueAndQueueNotAccepting) {
  EXPECT_THAT(spooler_->BeginJob(Header("nope")), StatusIs(absl::StatusCode::kNotFound));
  v1::UpdateQueueRequest reject;
  reject.set_name("office");
  reject.set_accepting(false);
  ASSERT_THAT(spooler_->UpdateQueue(reject), IsOk());
  EXPECT_THAT(spooler_->BeginJob(Header()), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(SpoolerTest, RefusesJobsOverTheSizeLimitAndLeavesNothing) {
  v1::UpdateQueueRequest limit;
  limit.set_name("office");
  limit.set_max_job_bytes(1500);
  ASSERT_THAT(spooler_->UpdateQueue(limit), IsOk());
  v1::JobHeader header = Header();
  header.set_expected_bytes(2000);
  EXPECT_THAT(spooler_->BeginJob(header), StatusIs(absl::StatusCode::kResourceExhausted));
  {
    auto sub = *spooler_->BeginJob(Header());
    ASSERT_THAT(sub->StartDocument(v1::DocumentStart()), IsOk());
    EXPECT_THAT(sub->AppendChunk(std::string(1000, 'x')), IsOk());
    EXPECT_THAT(sub->AppendChunk(std::string(1000, 'x')),
                StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(sub->Commit(), StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  v1::ListJobsRequest all;
  all.set_include_finished(true);
  EXPECT_TRUE(spooler_->ListJobs(all)->jobs().empty());
  EXPECT_TRUE(spooler_->store().OrphanDataJobIds()->empty());
}

// While a job's completion is being written, memory still holds it active
// and its final record can already be read back: one listing shows it once.
TEST_F(SpoolerTest, AJobWhoseFinalRecordIsBeingWrittenIsListedOnce) {
  uint64_t id = Submit("settling");
  auto active = spooler_->store().GetJob(id);
  ASSERT_THAT(active, IsOk());
  v1::Job completed = *active;
  completed.set_state(v1::JOB_STATE_COMPLETED);
  completed.set_finished_unix_micros(absl::ToUnixMicros(absl::Now()));
  // What the completion's write does before memory is updated.
  ASSERT_THAT(spooler_->store().PutJob(&*active, completed, /*sync=*/true, /*delete_data=*/true),
              IsOk());
  v1::ListJobsRequest all;
  all.set_include_finished(true);
  auto listed = spooler_->ListJobs(all);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->jobs_size(), 1);
  EXPECT_EQ(listed->jobs(0).id(), id);
  EXPECT_NE(listed->jobs(0).state(), v1::JOB_STATE_COMPLETED);  // memory's view, not yet final
}

TEST_F(SpoolerTest, RefusesAnAbsurdChunk) {
  auto sub = *spooler_->BeginJob(Header());
  ASSERT_THAT(sub->StartDocument(v1::DocumentStart()), IsOk());
  EXPECT_THAT(sub->AppendChunk(std::string((1 << 20) + 1, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SpoolerTest, MalformedSequencesAreRefused) {
  auto sub = *spooler_->BeginJob(Header());
  EXPECT_THAT(sub->AppendChunk("data before start"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(sub->EndDocument(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(sub->Commit(), StatusIs(absl::StatusCode::kInvalidArgument));  // no documents
  ASSERT_THAT(sub->StartDocument(v1::DocumentStart()), IsOk());
  EXPECT_THAT(sub->StartDocument(v1::DocumentStart()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(sub->Commit(), StatusIs(absl::StatusCode::kInvalidArgument));  // document open
}

TEST_F(SpoolerTest, AbandonedSubmissionLeavesNoTrace) {
  uint64_t id;
  {
    auto sub = *spooler_->BeginJob(Header());
    id = sub->job_id();
    ASSERT_THAT(sub->StartDocument(v1::DocumentStart()), IsOk());
    ASSERT_THAT(sub->AppendChunk(std::string(5000, 'x')), IsOk());
  }
  EXPECT_THAT(spooler_->GetJob(id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(spooler_->store().OrphanDataJobIds()->empty());
}

TEST_F(SpoolerTest, AbandonedLargeSubmissionRemovesItsSpoolFile) {
  {
    auto sub = *spooler_->BeginJob(Header());
    ASSERT_THAT(sub->StartDocument(v1::DocumentStart()), IsOk());
    ASSERT_THAT(sub->AppendChunk(std::string(3000, 'x')), IsOk());
    EXPECT_TRUE(SpoolDir().empty());  // still in memory
    ASSERT_THAT(sub->AppendChunk(std::string(3000, 'y')), IsOk());
    EXPECT_EQ(SpoolDir().size(), 1u);
  }
  EXPECT_TRUE(SpoolDir().empty());
}

TEST_F(SpoolerTest, SmallDocumentsStayInlineAndLargeOnesGetASpoolFileUntilTheJobEnds) {
  auto sub = *spooler_->BeginJob(Header());
  std::string small = "small document";
  std::string large(10000, 'L');
  large[5000] = '\0';
  for (const std::string* data : {&small, &large}) {
    ASSERT_THAT(sub->StartDocument(v1::DocumentStart()), IsOk());
    // What goes to a file (and may wait for the disk) is known beforehand.
    EXPECT_EQ(sub->WritesToFile(data->size()), data == &large);
    for (size_t i = 0; i < data->size(); i += 1500) {
      ASSERT_THAT(sub->AppendChunk(absl::string_view(*data).substr(i, 1500)), IsOk());
    }
    EXPECT_EQ(sub->WritesToFile(0), data == &large);  // ending it syncs the file
    ASSERT_THAT(sub->EndDocument(), IsOk());
    EXPECT_FALSE(sub->WritesToFile(0));
  }
  ASSERT_THAT(sub->Commit(), IsOk());
  uint64_t id = sub->job_id();
  v1::Job job = *spooler_->GetJob(id);
  EXPECT_EQ(job.documents(0).storage(), v1::DOCUMENT_STORAGE_INLINE);
  EXPECT_EQ(job.documents(1).storage(), v1::DOCUMENT_STORAGE_SPOOL_FILE);
  EXPECT_THAT(SpoolDir(), ElementsAre(job.documents(1).spool_file()));
  EXPECT_EQ(job.documents(1).checksum(), Checksum::Of(ChecksumAlgorithm::kXxh3_128, large));

  auto agent = Attach("a1");
  v1::SpoolerMessage assigned;
  ASSERT_TRUE(agent->TryNext(&assigned));
  ASSERT_EQ(assigned.assign().job().id(), id);
  // The small document travels with the assignment; the large one is read.
  EXPECT_EQ(assigned.assign().documents().size(), 1u);
  EXPECT_EQ(assigned.assign().documents().at(0), small);
  EXPECT_EQ(Read(id, 0), small);
  EXPECT_EQ(Read(id, 1), large);
  ASSERT_THAT(Report(*agent, id, true), IsOk());
  EXPECT_TRUE(SpoolDir().empty());
}

// A small document's bytes go with its job's first assignment, with a retry
// after a failed attempt, and with the assignment after a restart.
TEST_F(SpoolerTest, AnInlineDocumentTravelsWithEveryAssignmentOfItsJob) {
  uint64_t id = Submit("print me again");
  auto next_assignment = [&](AgentConnection& agent) {
    v1::SpoolerMessage message;
    while (agent.TryNext(&message)) {
      if (message.has_assign()) return message.assign();
    }
    return v1::AssignJob();
  };
  {
    auto agent = Attach("a1");
    v1::AssignJob first = next_assignment(*agent);
    ASSERT_EQ(first.job().id(), id);
    EXPECT_EQ(first.documents().at(0), "print me again");
    ASSERT_THAT(Report(*agent, id, false), IsOk());
    now_ += absl::Seconds(10);
    spooler_->Housekeep();
    v1::AssignJob second = next_assignment(*agent);
    ASSERT_EQ(second.job().id(), id);
    EXPECT_EQ(second.documents().at(0), "print me again");
  }
  spooler_.reset();
  Open();
  auto agent = Attach("a2");
  v1::AssignJob third = next_assignment(*agent);
  ASSERT_EQ(third.job().id(), id);
  EXPECT_EQ(third.documents().at(0), "print me again");
}

TEST_F(SpoolerTest, RestartRemovesSpoolFilesThatNoJobNames) {
  uint64_t kept = Submit(std::string(8000, 'k'));
  std::string orphan = dir_.path() + "/spool/" + SpoolFiles::NameFor(kept + 100, 0);
  { std::ofstream(orphan) << "left by a crash mid-receive"; }
  ASSERT_EQ(SpoolDir().size(), 2u);
  spooler_.reset();
  Open();
  EXPECT_THAT(SpoolDir(), ElementsAre(SpoolFiles::NameFor(kept, 0)));
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(kept));
  EXPECT_EQ(Read(kept), std::string(8000, 'k'));
}

TEST_F(SpoolerTest, RefusesWhenTheQueueIsFull) {
  v1::UpdateQueueRequest limit;
  limit.set_name("office");
  limit.set_max_pending_jobs(2);
  ASSERT_THAT(spooler_->UpdateQueue(limit), IsOk());
  Submit("1");
  auto receiving = spooler_->BeginJob(Header());  // counts while receiving
  ASSERT_THAT(receiving, IsOk());
  EXPECT_THAT(spooler_->BeginJob(Header()), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(SpoolerTest, QuotaCountsEachUsersJobsAndBytesOverASlidingPeriod) {
  v1::UpdateQueueRequest quota;
  quota.set_name("office");
  quota.set_quota_period_seconds(3600);
  quota.set_quota_jobs(2);
  quota.set_quota_bytes(1000);
  ASSERT_THAT(spooler_->UpdateQueue(quota), IsOk());
  Submit("one");
  now_ += absl::Minutes(30);
  Submit("two");
  auto refused = spooler_->BeginJob(Header());
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::StartsWith("quota: alice has sent 2 jobs"));
  Submit("bob's", 0, "bob");  // another user is not affected
  auto usage = spooler_->GetQuota("alice");
  ASSERT_THAT(usage, IsOk());
  ASSERT_EQ(usage->queues_size(), 1);
  EXPECT_EQ(usage->queues(0).jobs(), 2u);
  EXPECT_EQ(usage->queues(0).bytes(), 6u);
  // The first job leaves the window: one more fits.
  now_ += absl::Minutes(31);
  Submit("three");
  // Bytes: what was sent plus the job's announced size must fit.
  now_ += absl::Hours(2);
  v1::JobHeader big = Header();
  big.set_expected_bytes(1001);
  EXPECT_THAT(spooler_->BeginJob(big), StatusIs(absl::StatusCode::kResourceExhausted));
  // A restart just after "three" rebuilds the index from the jobs.
  now_ -= absl::Hours(2) + absl::Minutes(1);
  Open();
  EXPECT_THAT(spooler_->BeginJob(Header()), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(SpoolerTest, ARetryWithTheSameRequestIdIsAcknowledgedAndQueuedOnce) {
  // One job with `request_id` (content counted when `with_content`).
  auto submit = [&](const std::string& request_id, const std::string& data, bool with_content) {
    v1::JobHeader header = Header();
    header.set_request_id(request_id);
    header.set_request_id_with_content(with_content);
    auto sub = spooler_->BeginJob(header);
    EXPECT_THAT(sub, IsOk());
    EXPECT_THAT((*sub)->StartDocument(v1::DocumentStart()), IsOk());
    EXPECT_THAT((*sub)->AppendChunk(data), IsOk());
    EXPECT_THAT((*sub)->EndDocument(), IsOk());
    auto committed = (*sub)->Commit();
    EXPECT_THAT(committed, IsOk());
    return *committed;
  };
  auto queued = [&] {
    v1::ListJobsRequest request;
    return spooler_->ListJobs(request)->jobs_size();
  };
  v1::SubmitResponse::Committed first = submit("req-1", "hello", false);
  EXPECT_FALSE(first.duplicate());
  v1::SubmitResponse::Committed retry = submit("req-1", "hello", false);
  EXPECT_TRUE(retry.duplicate());
  EXPECT_EQ(retry.job_id(), first.job_id());
  EXPECT_EQ(queued(), 1u);
  // With content in the key, other bytes are another job.
  uint64_t lpd = submit("lpd|h|cfA1", "page one", true).job_id();
  EXPECT_EQ(submit("lpd|h|cfA1", "page one", true).job_id(), lpd);
  EXPECT_FALSE(submit("lpd|h|cfA1", "page two", true).duplicate());
  EXPECT_EQ(queued(), 3u);
  // Remembered across a restart.
  Open();
  EXPECT_EQ(submit("req-1", "hello", false).job_id(), first.job_id());
  // Not after the window (10 minutes by default).
  now_ += absl::Minutes(11);
  EXPECT_FALSE(submit("req-1", "hello", false).duplicate());
  // Without a request id, nothing is deduplicated.
  EXPECT_FALSE(submit("", "hello", false).duplicate());
  EXPECT_FALSE(submit("", "hello", false).duplicate());
  EXPECT_EQ(queued(), 6u);
}

TEST_F(SpoolerTest, AQueueCanSwitchDeduplicationOff) {
  v1::UpdateQueueRequest update;
  update.set_name("office");
  update.set_duplicate_window_seconds(0);
  ASSERT_THAT(spooler_->UpdateQueue(update), IsOk());
  for (int i = 0; i < 2; ++i) {
    v1::JobHeader header = Header();
    header.set_request_id("same");
    auto sub = spooler_->BeginJob(header);
    ASSERT_THAT((*sub)->StartDocument(v1::DocumentStart()), IsOk());
    ASSERT_THAT((*sub)->EndDocument(), IsOk());
    auto committed = (*sub)->Commit();
    ASSERT_THAT(committed, IsOk());
    EXPECT_FALSE(committed->duplicate());
  }
}

TEST(DuplicateIndexTest, FindsWithinTheWindowAndPurgesOldEntries) {
  DuplicateIndex index;
  absl::Time t0 = absl::FromUnixSeconds(1000);
  index.Add("office", "k", t0, 7);
  EXPECT_EQ(index.Find("office", "k", t0 + absl::Minutes(5), absl::Minutes(10)), 7u);
  EXPECT_EQ(index.Find("other", "k", t0, absl::Minutes(10)), std::nullopt);
  EXPECT_EQ(index.Find("office", "k", t0 + absl::Minutes(11), absl::Minutes(10)), std::nullopt);
  index.Add("office", "k", t0 + absl::Minutes(20), 9);  // a later job under the same key
  index.Purge(t0 + absl::Minutes(1));
  EXPECT_EQ(index.Find("office", "k", t0 + absl::Minutes(21), absl::Minutes(10)), 9u);
  index.Remove("office", "k", 7);  // not the current entry: no effect
  EXPECT_EQ(index.size(), 1u);
  index.Remove("office", "k", 9);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(IdempotencyKey("", true, {"aa"}), "");
  EXPECT_EQ(IdempotencyKey("r", false, {"aa"}), "r");
  EXPECT_EQ(IdempotencyKey("r", true, {"aa", "bb"}), "r|aa,bb");
}

TEST_F(SpoolerTest, AgentGetsJobsInPriorityOrderAndCompletesThem) {
  uint64_t low = Submit("low");
  uint64_t high = Submit("high", 20);
  auto agent = Attach("a1");
  // The queue's only printer gets the next job ahead, to print right after.
  EXPECT_THAT(Assigned(*agent), ElementsAre(high, low));
  EXPECT_EQ(State(high), v1::JOB_STATE_PRINTING);
  EXPECT_EQ(State(low), v1::JOB_STATE_PENDING);  // ready, not started
  EXPECT_EQ(spooler_->GetJob(low)->attempts(), 0u);
  EXPECT_EQ(Read(high), "high");
  ASSERT_THAT(Report(*agent, high, true), IsOk());
  EXPECT_EQ(State(high), v1::JOB_STATE_COMPLETED);
  EXPECT_TRUE(Assigned(*agent).empty());
  EXPECT_EQ(Read(low), "low");
  uint64_t later = Submit("later");
  EXPECT_THAT(Assigned(*agent), ElementsAre(later));  // sent ahead of `low`'s end
  ASSERT_THAT(Report(*agent, low, true), IsOk());
  EXPECT_TRUE(Assigned(*agent).empty());
  // Data of a finished job is gone; its record stays for history.
  std::string rest;
  EXPECT_THAT(spooler_->store().ReadDocument(high, 0, 0, [&](uint64_t, absl::string_view d) {
    rest.append(d.data(), d.size());
    return true;
  }), IsOk());
  EXPECT_EQ(rest, "");
}

TEST_F(SpoolerTest, TwoPrintersShareOneQueue) {
  // Printers attach when their agents start, before jobs come. With two
  // printers on the queue, neither gets a job ahead: the one free first
  // takes the next.
  auto agent1 = Attach("a1");
  auto agent2 = Attach("a2");
  uint64_t a = Submit("a"), b = Submit("b"), c = Submit("c");
  EXPECT_THAT(Assigned(*agent1), ElementsAre(a));
  EXPECT_THAT(Assigned(*agent2), ElementsAre(b));
  ASSERT_THAT(Report(*agent2, b, true), IsOk());
  EXPECT_THAT(Assigned(*agent2), ElementsAre(c));
}

TEST_F(SpoolerTest, AJobSentAheadReturnsToItsQueueWhenThePrinterStopsOrIsCancelled) {
  uint64_t first = Submit("first"), second = Submit("second"), third = Submit("third");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(first, second));
  // Cancelling the job sent ahead: the agent is told to drop it, and the
  // next one takes its place.
  ASSERT_THAT(spooler_->CancelJob(second, "changed my mind"), IsOk());
  v1::SpoolerMessage message;
  ASSERT_TRUE(agent->TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), second);
  spooler_->Housekeep();
  EXPECT_THAT(Assigned(*agent), ElementsAre(third));
  // The printer stops after a failure: the job sent ahead is given back
  // without counting as an attempt.
  v1::UpdateQueueRequest stop;
  stop.set_name("office");
  stop.set_error_policy(v1::ERROR_POLICY_STOP_PRINTER);
  ASSERT_THAT(spooler_->UpdateQueue(stop), IsOk());
  ASSERT_THAT(Report(*agent, first, false), IsOk());
  ASSERT_TRUE(agent->TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), third);
  EXPECT_EQ(State(first), v1::JOB_STATE_PENDING);
  EXPECT_EQ(State(third), v1::JOB_STATE_PENDING);
  EXPECT_FALSE(spooler_->GetJob(third)->not_before_unix_micros() > absl::ToUnixMicros(now_));
}

TEST_F(SpoolerTest, ALateReportOfAWithdrawnAttemptDoesNotEndTheJobsNextAttempt) {
  uint64_t first = Submit("first"), second = Submit("second");
  auto agent = Attach("a1");
  std::map<uint64_t, uint64_t> lease;  // job -> lease of its latest assignment
  v1::SpoolerMessage message;
  while (agent->TryNext(&message)) lease[message.assign().job().id()] = message.assign().lease();
  ASSERT_EQ(lease.size(), 2u);
  ASSERT_NE(lease[first], 0u);
  ASSERT_NE(lease[second], lease[first]);
  // The printer fails the first job and goes into error: the job sent ahead
  // is withdrawn, naming the attempt that is withdrawn.
  v1::AgentMessage status;
  status.mutable_printer_status()->set_name("p0");
  status.mutable_printer_status()->set_queue("office");
  status.mutable_printer_status()->set_state(v1::PRINTER_STATE_ERROR);
  ASSERT_THAT(spooler_->HandleAgentMessage(*agent, status), IsOk());
  v1::AgentMessage failed;
  failed.mutable_failed()->set_job_id(first);
  failed.mutable_failed()->set_lease(lease[first]);
  failed.mutable_failed()->set_error("device: gone");
  ASSERT_THAT(spooler_->HandleAgentMessage(*agent, failed), IsOk());
  ASSERT_TRUE(agent->TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), second);
  EXPECT_EQ(message.cancel().lease(), lease[second]);
  uint64_t withdrawn = lease[second];
  // Back at once: the job withdrawn is given to the same printer again.
  status.mutable_printer_status()->set_state(v1::PRINTER_STATE_IDLE);
  ASSERT_THAT(spooler_->HandleAgentMessage(*agent, status), IsOk());
  ASSERT_TRUE(agent->TryNext(&message));
  ASSERT_EQ(message.assign().job().id(), second);
  ASSERT_GT(message.assign().lease(), withdrawn);
  uint64_t current = message.assign().lease();
  EXPECT_EQ(State(second), v1::JOB_STATE_PRINTING);
  // The agent had started the withdrawn attempt; its "cancelled" report
  // arrives now and is about the old lease: ignored.
  failed.mutable_failed()->set_job_id(second);
  failed.mutable_failed()->set_lease(withdrawn);
  failed.mutable_failed()->set_error("cancelled while printing");
  failed.mutable_failed()->set_disposition(v1::FAILURE_DISPOSITION_CANCEL);
  EXPECT_THAT(spooler_->HandleAgentMessage(*agent, failed),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(State(second), v1::JOB_STATE_PRINTING);
  v1::AgentMessage completed;
  completed.mutable_completed()->set_job_id(second);
  completed.mutable_completed()->set_lease(withdrawn);
  EXPECT_THAT(spooler_->HandleAgentMessage(*agent, completed),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  completed.mutable_completed()->set_lease(current);
  ASSERT_THAT(spooler_->HandleAgentMessage(*agent, completed), IsOk());
  EXPECT_EQ(State(second), v1::JOB_STATE_COMPLETED);
}

TEST_F(SpoolerTest, FailedAttemptBacksOffThenRetriesThenFails) {
  uint64_t id = Submit("retry me");
  auto agent = Attach("a1");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_THAT(Assigned(*agent), ElementsAre(id)) << "attempt " << attempt;
    ASSERT_THAT(Report(*agent, id, false), IsOk());
    if (attempt == 3) break;
    EXPECT_EQ(State(id), v1::JOB_STATE_PENDING);
    spooler_->Housekeep();
    EXPECT_TRUE(Assigned(*agent).empty()) << "still in backoff";
    now_ += absl::Seconds(10) * (1 << (attempt - 1));
    spooler_->Housekeep();
  }
  auto job = *spooler_->GetJob(id);
  EXPECT_EQ(job.state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(job.attempts(), 3u);
  EXPECT_EQ(job.history_size(), 3);
  EXPECT_THAT(job.last_error(), ::testing::HasSubstr("paper jam"));
}

TEST_F(SpoolerTest, LostAgentReturnsItsJobToPending) {
  uint64_t id = Submit("survive");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(id));
  spooler_->DetachAgent(*agent);
  EXPECT_EQ(State(id), v1::JOB_STATE_PENDING);
  now_ += absl::Seconds(10);
  auto agent2 = Attach("a2");
  EXPECT_THAT(Assigned(*agent2), ElementsAre(id));
  EXPECT_EQ(Read(id), "survive");
}

TEST_F(SpoolerTest, ExpiredLeaseRequeuesAndCancelsOnTheAgent) {
  uint64_t id = Submit("slow");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(id));
  now_ += absl::Seconds(59);
  v1::AgentMessage progress;
  progress.mutable_progress()->set_job_id(id);
  progress.mutable_progress()->set_bytes_written(2);
  ASSERT_THAT(spooler_->HandleAgentMessage(*agent, progress), IsOk());  // renews
  now_ += absl::Seconds(59);
  spooler_->Housekeep();
  EXPECT_EQ(State(id), v1::JOB_STATE_PRINTING);
  now_ += absl::Seconds(2);
  spooler_->Housekeep();
  EXPECT_EQ(State(id), v1::JOB_STATE_PENDING);
  v1::SpoolerMessage message;
  ASSERT_TRUE(agent->TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), id);
}

TEST_F(SpoolerTest, HoldingTheJobSentAheadTellsTheAgentToDropIt) {
  uint64_t first = Submit("first"), second = Submit("second"), third = Submit("third");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(first, second));
  ASSERT_THAT(spooler_->HoldJob(second), IsOk());
  v1::SpoolerMessage message;
  ASSERT_TRUE(agent->TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), second);
  spooler_->Housekeep();
  EXPECT_THAT(Assigned(*agent), ElementsAre(third));  // the next one instead
  ASSERT_THAT(Report(*agent, first, true), IsOk());
  EXPECT_EQ(State(third), v1::JOB_STATE_PRINTING);
  EXPECT_EQ(State(second), v1::JOB_STATE_HELD);
}

TEST_F(SpoolerTest, ALostAgentOrAnExpiredLeaseGivesBackTheJobSentAheadToo) {
  uint64_t first = Submit("first"), second = Submit("second");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(first, second));
  spooler_->DetachAgent(*agent);
  EXPECT_EQ(State(first), v1::JOB_STATE_PENDING);
  EXPECT_EQ(State(second), v1::JOB_STATE_PENDING);

  now_ += absl::Seconds(60);  // past the lost attempt's backoff
  auto agent2 = Attach("a2");
  ASSERT_THAT(Assigned(*agent2), ElementsAre(first, second));
  now_ += absl::Seconds(61);  // the agent says nothing: both leases end
  spooler_->Housekeep();
  EXPECT_EQ(State(first), v1::JOB_STATE_PENDING);  // waits out its backoff
  std::vector<uint64_t> cancelled, assigned;
  v1::SpoolerMessage message;
  while (agent2->TryNext(&message)) {
    if (message.has_cancel()) cancelled.push_back(message.cancel().job_id());
    if (message.has_assign()) assigned.push_back(message.assign().job().id());
  }
  EXPECT_THAT(cancelled, ::testing::UnorderedElementsAre(first, second));
  // The job sent ahead never started: its lease left no attempt behind,
  // and it is the printer's current job now.
  EXPECT_THAT(assigned, ElementsAre(second));
  EXPECT_EQ(spooler_->GetJob(first)->attempts(), 2u);
  EXPECT_EQ(spooler_->GetJob(second)->attempts(), 1u);
  EXPECT_EQ(spooler_->GetJob(second)->history_size(), 1);
}

TEST_F(SpoolerTest, TheJobSentAheadBecomesCurrentWhenTheFirstCompletes) {
  uint64_t first = Submit("first"), second = Submit("second");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(first, second));
  ASSERT_THAT(Report(*agent, first, true), IsOk());
  // Its lease now runs from the first job's end, and progress renews it.
  now_ += absl::Seconds(59);
  v1::AgentMessage progress;
  progress.mutable_progress()->set_job_id(second);
  ASSERT_THAT(spooler_->HandleAgentMessage(*agent, progress), IsOk());
  now_ += absl::Seconds(59);
  spooler_->Housekeep();
  EXPECT_EQ(State(second), v1::JOB_STATE_PRINTING);
  ASSERT_THAT(Report(*agent, second, true), IsOk());
  EXPECT_EQ(State(second), v1::JOB_STATE_COMPLETED);
  auto printers = spooler_->ListPrinters();
  ASSERT_EQ(printers.size(), 1u);
  EXPECT_EQ(printers[0].current_job(), 0u);
}

TEST_F(SpoolerTest, CancelWhilePrintingTellsTheAgent) {
  uint64_t id = Submit("stop");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(id));
  ASSERT_THAT(spooler_->CancelJob(id, "by test"), IsOk());
  EXPECT_EQ(State(id), v1::JOB_STATE_CANCELLED);
  v1::SpoolerMessage message;
  ASSERT_TRUE(agent->TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), id);
  EXPECT_THAT(spooler_->CancelJob(id, ""), StatusIs(absl::StatusCode::kFailedPrecondition));
  // A late completion of a cancelled job does not revive it.
  ASSERT_THAT(Report(*agent, id, true), IsOk());
  EXPECT_EQ(State(id), v1::JOB_STATE_CANCELLED);
}

TEST_F(SpoolerTest, HeldJobsWaitUntilReleased) {
  uint64_t id = Submit("hold me");
  ASSERT_THAT(spooler_->HoldJob(id), IsOk());
  auto agent = Attach("a1");
  EXPECT_TRUE(Assigned(*agent).empty());
  ASSERT_THAT(spooler_->ReleaseJob(id), IsOk());
  EXPECT_THAT(Assigned(*agent), ElementsAre(id));
}

TEST_F(SpoolerTest, DisabledQueueKeepsJobsPending) {
  v1::UpdateQueueRequest disable;
  disable.set_name("office");
  disable.set_enabled(false);
  ASSERT_THAT(spooler_->UpdateQueue(disable), IsOk());
  uint64_t id = Submit("wait");
  auto agent = Attach("a1");
  EXPECT_TRUE(Assigned(*agent).empty());
  disable.set_enabled(true);
  ASSERT_THAT(spooler_->UpdateQueue(disable), IsOk());
  EXPECT_THAT(Assigned(*agent), ElementsAre(id));
}

TEST_F(SpoolerTest, RemoveJobsAppliesTheOwnershipRule) {
  uint64_t alice = Submit("a", 0, "alice");
  uint64_t bob = Submit("b", 0, "bob");
  v1::RemoveJobsRequest request;
  request.set_queue("office");
  request.set_requester_user("alice");
  request.set_requester_host("ws1");
  request.set_requester_address("10.0.0.5");
  request.add_job_ids(alice);
  request.add_job_ids(bob);
  auto response = spooler_->RemoveJobs(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->removed(), ElementsAre(alice));
  EXPECT_THAT(response->not_permitted(), ElementsAre(bob));
  // Same user from another host: refused.
  request.set_requester_user("bob");
  request.set_requester_host("elsewhere");
  EXPECT_THAT(spooler_->RemoveJobs(request)->removed(), ElementsAre());
  // root only from an admin host.
  request.set_requester_user("root");
  EXPECT_THAT(spooler_->RemoveJobs(request)->removed(), ElementsAre());
  request.set_requester_address("10.0.0.5");
  request.set_requester_address("127.0.0.1");
  EXPECT_THAT(spooler_->RemoveJobs(request)->removed(), ElementsAre(bob));
}

// The H line names a host we never resolve; the address the job came from
// counts as the job's own host too.
TEST_F(SpoolerTest, RemoveJobsAcceptsTheJobsOriginAddress) {
  v1::JobHeader header = Header();
  header.set_user("carol");
  header.set_host("carols-pc");
  header.mutable_origin()->set_peer("10.1.1.1:721");
  auto sub = *spooler_->BeginJob(header);
  ASSERT_THAT(sub->StartDocument(v1::DocumentStart()), IsOk());
  ASSERT_THAT(sub->EndDocument(), IsOk());
  ASSERT_THAT(sub->Commit(), IsOk());
  v1::RemoveJobsRequest request;
  request.set_queue("office");
  request.set_requester_user("carol");
  request.set_requester_host("10.9.9.9");
  request.set_requester_address("10.9.9.9");
  request.add_job_ids(sub->job_id());
  EXPECT_THAT(spooler_->RemoveJobs(request)->removed(), ElementsAre());
  request.set_requester_host("10.1.1.1");
  request.set_requester_address("10.1.1.1");
  EXPECT_THAT(spooler_->RemoveJobs(request)->removed(), ElementsAre(sub->job_id()));
}

TEST_F(SpoolerTest, FinishedJobsLeaveHistoryAfterThePeriod) {
  uint64_t id = Submit("x");
  ASSERT_THAT(spooler_->CancelJob(id, ""), IsOk());
  now_ += absl::Minutes(59);
  spooler_->Housekeep();
  EXPECT_THAT(spooler_->GetJob(id), IsOk());
  now_ += absl::Minutes(2);
  spooler_->Housekeep();
  EXPECT_THAT(spooler_->GetJob(id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(SpoolerTest, HistoryIsPurgedByFinishTimeAlsoAfterARestart) {
  uint64_t early = Submit("x");
  ASSERT_THAT(spooler_->CancelJob(early, ""), IsOk());
  now_ += absl::Minutes(30);
  uint64_t late = Submit("y");
  ASSERT_THAT(spooler_->CancelJob(late, ""), IsOk());
  Open();  // history is not read at start, but still purged in order
  now_ += absl::Minutes(31);
  spooler_->Housekeep();
  EXPECT_THAT(spooler_->GetJob(early), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(State(late), v1::JOB_STATE_CANCELLED);
  now_ += absl::Minutes(30);
  spooler_->Housekeep();
  EXPECT_THAT(spooler_->GetJob(late), StatusIs(absl::StatusCode::kNotFound));
}

// Every page of a listing, as ids.
std::vector<uint64_t> ListAll(Spooler& spooler, v1::ListJobsRequest request, int* pages) {
  std::vector<uint64_t> ids;
  for (*pages = 1; *pages < 100; ++*pages) {
    auto page = spooler.ListJobs(request);
    EXPECT_THAT(page, IsOk());
    if (!page.ok()) break;
    EXPECT_LE(page->jobs_size(), static_cast<int>(request.page_size()));
    for (const auto& job : page->jobs()) ids.push_back(job.id());
    if (page->next_page_token().empty()) break;
    request.set_page_token(page->next_page_token());
  }
  return ids;
}

TEST_F(SpoolerTest, ListingsComeInPagesActiveInPrintOrderThenHistoryNewestFirst) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(Submit("job", i == 3 ? 9 : 0, i % 2 ? "bob" : "alice"));
  ASSERT_THAT(spooler_->HoldJob(ids[0]), IsOk());
  now_ += absl::Seconds(1);
  ASSERT_THAT(spooler_->CancelJob(ids[5], ""), IsOk());
  now_ += absl::Seconds(1);
  ASSERT_THAT(spooler_->CancelJob(ids[6], ""), IsOk());
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(ids[3], ids[1]));  // printing, sent ahead

  v1::ListJobsRequest request;
  request.set_page_size(2);
  int pages = 0;
  EXPECT_THAT(ListAll(*spooler_, request, &pages),
              ElementsAre(ids[3], ids[1], ids[2], ids[4], ids[0]));
  EXPECT_EQ(pages, 3);
  request.set_include_finished(true);
  EXPECT_THAT(ListAll(*spooler_, request, &pages),
              ElementsAre(ids[3], ids[1], ids[2], ids[4], ids[0], ids[6], ids[5]));
  request.set_user("bob");
  EXPECT_THAT(ListAll(*spooler_, request, &pages), ElementsAre(ids[3], ids[1], ids[5]));
  v1::ListJobsRequest finished_only;
  finished_only.set_page_size(1);
  finished_only.add_states(v1::JOB_STATE_CANCELLED);
  EXPECT_THAT(ListAll(*spooler_, finished_only, &pages), ElementsAre(ids[6], ids[5]));

  // A job that ends between two pages is not listed twice or skipped over.
  v1::ListJobsRequest paged;
  paged.set_page_size(2);
  auto first = spooler_->ListJobs(paged);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(spooler_->CancelJob(ids[2], ""), IsOk());
  paged.set_page_token(first->next_page_token());
  std::vector<uint64_t> rest = ListAll(*spooler_, paged, &pages);
  EXPECT_THAT(rest, ElementsAre(ids[4], ids[0]));

  v1::ListJobsRequest bad;
  bad.set_page_token("not a token");
  EXPECT_THAT(spooler_->ListJobs(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  v1::ListJobsRequest limited;  // a limit is one page without a token
  limited.set_limit(2);
  auto capped = spooler_->ListJobs(limited);
  ASSERT_THAT(capped, IsOk());
  EXPECT_EQ(capped->jobs_size(), 2);
  EXPECT_TRUE(capped->next_page_token().empty());
}

TEST_F(SpoolerTest, AQuotaSetLaterCountsWhatWasSentBefore) {
  Submit("one");
  uint64_t two = Submit("two");
  ASSERT_THAT(spooler_->CancelJob(two, ""), IsOk());  // finished jobs count too
  v1::UpdateQueueRequest quota;
  quota.set_name("office");
  quota.set_quota_period_seconds(3600);
  quota.set_quota_jobs(2);
  ASSERT_THAT(spooler_->UpdateQueue(quota), IsOk());
  EXPECT_THAT(spooler_->BeginJob(Header()), StatusIs(absl::StatusCode::kResourceExhausted));
  Open();  // and so does a restart
  EXPECT_THAT(spooler_->BeginJob(Header()), StatusIs(absl::StatusCode::kResourceExhausted));
}

// Synced writes run without the spooler's lock; operations racing on the
// same jobs must still leave memory and store agreeing, job by job.
TEST_F(SpoolerTest, ConcurrentChangesToTheSameJobsLeaveMemoryAndStoreAgreeing) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(Submit("job"));
  auto agent = Attach("a1", 2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        uint64_t id = ids[(round * 7 + t * 13) % ids.size()];
        switch ((round + t) % 5) {
          case 0: (void)spooler_->HoldJob(id); break;
          case 1: (void)spooler_->ReleaseJob(id); break;
          case 2: (void)spooler_->SetJobPriority(id, round % 20); break;
          case 3: (void)spooler_->GetJob(id); break;
          default: if (round % 10 == 4) (void)spooler_->CancelJob(id, "race"); break;
        }
      }
    });
  }
  threads.emplace_back([&] {  // the agent finishes whatever it is given
    for (int round = 0; round < 200; ++round) {
      for (uint64_t id : Assigned(*agent)) (void)Report(*agent, id, round % 3 != 0);
    }
  });
  for (auto& t : threads) t.join();
  for (uint64_t id : ids) {
    auto seen = spooler_->GetJob(id);
    auto stored = spooler_->store().GetJob(id);
    ASSERT_THAT(seen, IsOk());
    ASSERT_THAT(stored, IsOk());
    EXPECT_EQ(seen->state(), stored->state()) << "job " << id;
    EXPECT_EQ(seen->priority(), stored->priority()) << "job " << id;
  }
}

// A stop without DetachAgent (as in a crash) leaves the leased job
// PRINTING on disk; the next start must offer it again.
TEST_F(SpoolerTest, RestartKeepsCommittedJobsAndRequeuesPrintingOnes) {
  uint64_t printing = Submit("one");
  uint64_t pending = Submit("two");
  auto agent = Attach("a1");
  ASSERT_THAT(Assigned(*agent), ElementsAre(printing, pending));
  spooler_.reset();
  agent.reset();
  Open();
  EXPECT_EQ(State(printing), v1::JOB_STATE_PENDING);
  EXPECT_EQ(State(pending), v1::JOB_STATE_PENDING);
  auto agent2 = Attach("a2", 2);
  EXPECT_THAT(Assigned(*agent2), ElementsAre(printing, pending));
  EXPECT_EQ(Read(printing), "one");
  EXPECT_GT(Submit("three"), pending);
}

TEST_F(SpoolerTest, QueueAdministration) {
  v1::Queue lab;
  lab.set_name("lab");
  EXPECT_THAT(spooler_->CreateQueue(lab), IsOk());
  EXPECT_THAT(spooler_->CreateQueue(lab), StatusIs(absl::StatusCode::kAlreadyExists));
  v1::Queue bad;
  bad.set_name("no spaces");
  EXPECT_THAT(spooler_->CreateQueue(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  uint64_t id = Submit("move me");
  EXPECT_THAT(spooler_->MoveJob(id, "lab"), IsOk());
  EXPECT_THAT(spooler_->DeleteQueue("lab"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(spooler_->SetJobPriority(id, 26), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(spooler_->SetJobPriority(id, 7), IsOk());
  ASSERT_THAT(spooler_->CancelJob(id, ""), IsOk());
  EXPECT_THAT(spooler_->DeleteQueue("lab"), IsOk());
  EXPECT_EQ(spooler_->ListQueues().size(), 1u);
}

}  // namespace
}  // namespace spoolgate::spooler
