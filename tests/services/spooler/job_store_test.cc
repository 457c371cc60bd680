#include "services/spooler/job_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include "services/spooler/job_keys.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::IsOkAndHolds;
using ::spoolgate::testing::StatusIs;
using ::spoolgate::testing::TempDir;
using ::testing::ElementsAre;

std::unique_ptr<JobStore> OpenStore(const std::string& path) {
  JobStore::Options options;
  options.path = path;
  options.id_reservation_block = 4;  // small, so tests cross block edges
  auto store = JobStore::Open(options);
  EXPECT_THAT(store, IsOk());
  return store.ok() ? *std::move(store) : nullptr;
}

v1::Job MakeJob(uint64_t id, const std::string& queue, int priority, v1::JobState state) {
  v1::Job job;
  job.set_id(id);
  job.set_queue(queue);
  job.set_priority(priority);
  job.set_state(state);
  job.set_user("alice");
  return job;
}

std::string ReadAll(JobStore& store, uint64_t job, uint32_t doc, uint64_t offset = 0) {
  std::string out;
  EXPECT_THAT(store.ReadDocument(job, doc, offset,
                                 [&](uint64_t at, absl::string_view data) {
                                   EXPECT_EQ(at, offset + out.size());
                                   out.append(data.data(), data.size());
                                   return true;
                                 }),
              IsOk());
  return out;
}

TEST(JobStoreTest, JobRecordsRoundTripAcrossReopen) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    v1::Job job = MakeJob(1, "office", 3, v1::JOB_STATE_PENDING);
    job.set_title("report.pdf");
    job.add_documents()->set_sha256("abc");
    ASSERT_THAT(store->PutJob(nullptr, job, /*sync=*/true), IsOk());
  }
  auto store = OpenStore(dir.path());
  auto job = store->GetJob(1);
  ASSERT_THAT(job, IsOk());
  EXPECT_EQ(job->title(), "report.pdf");
  EXPECT_EQ(job->documents(0).sha256(), "abc");
  EXPECT_THAT(store->GetJob(2), StatusIs(absl::StatusCode::kNotFound));
}

TEST(JobStoreTest, JobIdsAreNeverReusedAcrossRestarts) {
  TempDir dir;
  uint64_t last = 0;
  for (int round = 0; round < 3; ++round) {
    auto store = OpenStore(dir.path());
    for (int i = 0; i < 6; ++i) {  // crosses the reservation block of 4
      auto id = store->AllocateJobId();
      ASSERT_THAT(id, IsOk());
      EXPECT_GT(*id, last);
      last = *id;
    }
  }
}

// Final jobs, oldest first: finished at 100, 200, ... seconds.
std::vector<v1::Job> FinishSome(JobStore& store, int n) {
  std::vector<v1::Job> done;
  for (int i = 1; i <= n; ++i) {
    v1::Job job = MakeJob(static_cast<uint64_t>(i), "office", 0, v1::JOB_STATE_PRINTING);
    EXPECT_THAT(store.PutJob(nullptr, job, false), IsOk());
    v1::Job finished = job;
    finished.set_state(v1::JOB_STATE_COMPLETED);
    finished.set_finished_unix_micros(i * int64_t{100'000'000});
    EXPECT_THAT(store.PutJob(&job, finished, false, true), IsOk());
    done.push_back(finished);
  }
  return done;
}

std::vector<uint64_t> ActiveIds(const JobStore& store) {
  std::vector<uint64_t> ids;
  EXPECT_THAT(store.ForEachActiveJob([&](v1::Job job) {
    ids.push_back(job.id());
    return true;
  }), IsOk());
  return ids;
}

std::vector<uint64_t> FinishedIds(const JobStore& store, int64_t before_micros = 0,
                                  uint64_t before_id = 0, int64_t since_micros = 0) {
  std::vector<uint64_t> ids;
  EXPECT_THAT(store.ForEachFinishedJob(before_micros, before_id, since_micros,
                                       [&](const v1::Job& job) {
                                         ids.push_back(job.id());
                                         return true;
                                       }),
              IsOk());
  return ids;
}

TEST(JobStoreTest, FinalJobsMoveToHistoryAndAreListedNewestFirst) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  FinishSome(*store, 4);
  ASSERT_THAT(store->PutJob(nullptr, MakeJob(5, "office", 0, v1::JOB_STATE_PENDING), false), IsOk());
  EXPECT_THAT(ActiveIds(*store), ElementsAre(5));
  EXPECT_THAT(FinishedIds(*store), ElementsAre(4, 3, 2, 1));
  // Paging: after job 3 (finished at 300 s); and a lower bound in time.
  EXPECT_THAT(FinishedIds(*store, 300'000'000, 3), ElementsAre(2, 1));
  EXPECT_THAT(FinishedIds(*store, 0, 0, 200'000'000), ElementsAre(4, 3, 2));
  EXPECT_EQ(store->GetJob(2)->state(), v1::JOB_STATE_COMPLETED);  // found in history
  EXPECT_EQ(store->GetJob(5)->state(), v1::JOB_STATE_PENDING);
}

TEST(JobStoreTest, PurgeTakesTheOldestHistoryFirstWithinItsLimit) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  FinishSome(*store, 5);
  EXPECT_THAT(store->PurgeHistory(absl::FromUnixSeconds(350), 2), IsOkAndHolds(2u));
  EXPECT_THAT(FinishedIds(*store), ElementsAre(5, 4, 3));
  EXPECT_THAT(store->PurgeHistory(absl::FromUnixSeconds(350), 100), IsOkAndHolds(1u));
  EXPECT_THAT(store->PurgeHistory(absl::FromUnixSeconds(350), 100), IsOkAndHolds(0u));
  EXPECT_THAT(FinishedIds(*store), ElementsAre(5, 4));
  EXPECT_THAT(store->GetJob(3), StatusIs(absl::StatusCode::kNotFound));
}

TEST(JobStoreTest, HistoryIsKeptAcrossReopenAndIdsStayAboveIt) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    FinishSome(*store, 3);
  }
  auto store = OpenStore(dir.path());
  EXPECT_THAT(FinishedIds(*store), ElementsAre(3, 2, 1));
  EXPECT_TRUE(ActiveIds(*store).empty());
  auto id = store->AllocateJobId();
  ASSERT_THAT(id, IsOk());
  EXPECT_GT(*id, 3u);
}

// A store written before history had its own family: final and active
// jobs side by side, and a queue index.
TEST(JobStoreTest, AnOlderStoreIsConvertedAtOpen) {
  TempDir dir;
  {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "jobs", "queue_index", "queues", "job_data"}) {
      families.push_back({name, rocksdb::ColumnFamilyOptions()});
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), families, &handles, &db).ok());
    v1::Job done = MakeJob(1, "office", 0, v1::JOB_STATE_CANCELLED);
    done.set_finished_unix_micros(5'000'000);
    v1::Job pending = MakeJob(2, "office", 0, v1::JOB_STATE_PENDING);
    for (const v1::Job* job : {&done, &pending}) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[1], JobKey(job->id()),
                          job->SerializeAsString())
                      .ok());
    }
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[2], std::string("office\0\xff", 8), "").ok());
    // Data of a job that was never committed (older versions wrote it first).
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[4], DataKey(3, 0, 0), "orphan").ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[4], DataKey(2, 0, 0), "kept").ok());
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
  }
  for (int round = 0; round < 2; ++round) {  // and opens again as converted
    auto store = OpenStore(dir.path());
    EXPECT_THAT(ActiveIds(*store), ElementsAre(2));
    EXPECT_THAT(FinishedIds(*store), ElementsAre(1));
    EXPECT_EQ(store->GetJob(1)->state(), v1::JOB_STATE_CANCELLED);
    EXPECT_EQ(ReadAll(*store, 3, 0), "");
    EXPECT_EQ(ReadAll(*store, 2, 0), "kept");
  }
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &names).ok());
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("queue_index")));
}

TEST(JobStoreTest, DocumentsReadBackFromAnyOffset) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  std::string doc0 = std::string(5000, 'a') + std::string(5000, 'b');
  ASSERT_THAT(store->PutChunk(1, 0, 0, doc0.substr(0, 4096)), IsOk());
  ASSERT_THAT(store->PutChunk(1, 0, 4096, doc0.substr(4096)), IsOk());
  ASSERT_THAT(store->PutChunk(1, 1, 0, "second"), IsOk());
  ASSERT_THAT(store->SyncData(), IsOk());
  EXPECT_EQ(ReadAll(*store, 1, 0), doc0);
  EXPECT_EQ(ReadAll(*store, 1, 0, 4000), doc0.substr(4000));  // inside chunk 1
  EXPECT_EQ(ReadAll(*store, 1, 0, 4096), doc0.substr(4096));  // chunk boundary
  EXPECT_EQ(ReadAll(*store, 1, 0, 10000), "");                // at the end
  EXPECT_EQ(ReadAll(*store, 1, 1), "second");
  EXPECT_EQ(ReadAll(*store, 1, 2), "");
}

TEST(JobStoreTest, FinalStateWriteDeletesDataInTheSameBatch) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  v1::Job job = MakeJob(5, "office", 0, v1::JOB_STATE_PRINTING);
  ASSERT_THAT(store->PutJob(nullptr, job, false), IsOk());
  ASSERT_THAT(store->PutChunk(5, 0, 0, std::string(10000, 'x')), IsOk());
  ASSERT_THAT(store->PutChunk(6, 0, 0, "neighbour"), IsOk());
  v1::Job done = job;
  done.set_state(v1::JOB_STATE_COMPLETED);
  ASSERT_THAT(store->PutJob(&job, done, /*sync=*/true, /*delete_data=*/true), IsOk());
  EXPECT_EQ(ReadAll(*store, 5, 0), "");
  EXPECT_EQ(ReadAll(*store, 6, 0), "neighbour");  // other jobs untouched
  EXPECT_EQ(store->GetJob(5)->state(), v1::JOB_STATE_COMPLETED);
}

TEST(JobStoreTest, DeleteJobRemovesRecordIndexAndData) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  v1::Job job = MakeJob(9, "office", 0, v1::JOB_STATE_PENDING);
  ASSERT_THAT(store->PutJob(nullptr, job, false), IsOk());
  ASSERT_THAT(store->PutChunk(9, 0, 0, "data"), IsOk());
  ASSERT_THAT(store->DeleteJob(job, true), IsOk());
  EXPECT_THAT(store->GetJob(9), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(ActiveIds(*store).empty());
  EXPECT_EQ(ReadAll(*store, 9, 0), "");
}

TEST(JobStoreTest, CommitWritesInlineDocumentsWithTheRecordAndTheEndDeletesThem) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  v1::Job job = MakeJob(7, "office", 0, v1::JOB_STATE_PENDING);
  for (uint32_t i = 0; i < 3; ++i) {
    v1::Document* doc = job.add_documents();
    doc->set_index(i);
    doc->set_storage(i == 1 ? v1::DOCUMENT_STORAGE_SPOOL_FILE : v1::DOCUMENT_STORAGE_INLINE);
  }
  job.mutable_documents(0)->set_size_bytes(5);
  job.mutable_documents(2)->set_size_bytes(0);
  ASSERT_THAT(store->CommitJob(job, {{0, "first"}, {2, ""}}), IsOk());
  ASSERT_THAT(store->PutChunk(8, 0, 0, "neighbour"), IsOk());
  EXPECT_EQ(ReadAll(*store, 7, 0), "first");
  EXPECT_EQ(ReadAll(*store, 7, 0, 2), "rst");
  EXPECT_EQ(ReadAll(*store, 7, 2), "");
  EXPECT_THAT(ActiveIds(*store), ElementsAre(7));

  v1::Job done = job;
  done.set_state(v1::JOB_STATE_COMPLETED);
  ASSERT_THAT(store->PutJob(&job, done, /*sync=*/true, /*delete_data=*/true), IsOk());
  EXPECT_EQ(ReadAll(*store, 7, 0), "");
  EXPECT_EQ(ReadAll(*store, 8, 0), "neighbour");
  EXPECT_TRUE(ActiveIds(*store).empty());
  EXPECT_THAT(FinishedIds(*store), ElementsAre(7));
  EXPECT_TRUE(store->OrphanDataJobIds()->size() == 1);  // only job 8, which has no record
}

TEST(JobStoreTest, SyncedDataSurvivesReopen) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_THAT(store->PutChunk(3, 0, 0, "durable bytes"), IsOk());
    ASSERT_THAT(store->SyncData(), IsOk());
  }
  auto store = OpenStore(dir.path());
  EXPECT_EQ(ReadAll(*store, 3, 0), "durable bytes");
  EXPECT_THAT(*store->OrphanDataJobIds(), ElementsAre(3));  // no record for job 3
}

TEST(JobStoreTest, QueuesPersist) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    v1::Queue q;
    q.set_name("office");
    q.set_accepting(true);
    q.set_max_job_bytes(1000);
    ASSERT_THAT(store->PutQueue(q), IsOk());
    v1::Queue gone;
    gone.set_name("gone");
    ASSERT_THAT(store->PutQueue(gone), IsOk());
    ASSERT_THAT(store->DeleteQueue("gone"), IsOk());
  }
  auto store = OpenStore(dir.path());
  auto queues = store->ListQueues();
  ASSERT_THAT(queues, IsOk());
  ASSERT_EQ(queues->size(), 1u);
  EXPECT_EQ((*queues)[0].name(), "office");
  EXPECT_EQ((*queues)[0].max_job_bytes(), 1000u);
}

}  // namespace
}  // namespace spoolgate::spooler
