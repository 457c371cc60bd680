// A write handed to DeferredSync is reported durable without a sync of its
// own when another synced write covered it, and otherwise after one sync
// shared by everything waiting once the oldest has waited long enough.
#include "services/spooler/deferred_sync.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/recorded_events.h"

namespace spoolgate::spooler {
namespace {
using ::testing::ElementsAre;

// A log whose durable point the test moves, as other synced writes would.
class FakeLog {
 public:
  DeferredSync::Log log() {
    return DeferredSync::Log{[this] { return durable_.load(); },
                             [this] {
                               ++syncs_;
                               durable_.store(written_.load());
                               return sync_outcome_;
                             }};
  }
  // A write (unsynced): its position.
  uint64_t Write() { return ++written_; }
  // Another writer's synced write: everything so far is durable.
  void SyncedWrite() { durable_.store(++written_); }

  int syncs() const { return syncs_.load(); }
  void FailSyncs() { sync_outcome_ = absl::UnavailableError("disk gone"); }

 private:
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> durable_{0};
  std::atomic<int> syncs_{0};
  absl::Status sync_outcome_;  // set before the first sync
};

// What the `done` callbacks saw, in order: "3 OK".
class Outcomes {
 public:
  DeferredSync::Done For(int id) {
    return [this, id](const absl::Status& s) {
      seen_.Add(absl::StrCat(id, " ", absl::StatusCodeToString(s.code())));
    };
  }
  std::vector<std::string> Await(size_t n) { return seen_.Await(n); }

 private:
  ::spoolgate::testing::RecordedEvents seen_;
};

TEST(DeferredSyncTest, AWriteCoveredByAnotherSyncedWriteCostsNoSync) {
  FakeLog log;
  Outcomes outcomes;
  DeferredSync deferred(log.log(), absl::Milliseconds(20));
  deferred.WhenDurable(log.Write(), outcomes.For(1));
  log.SyncedWrite();  // an intake commit, say, within the 20 ms
  EXPECT_THAT(outcomes.Await(1), ElementsAre("1 OK"));
  EXPECT_EQ(log.syncs(), 0);
}

TEST(DeferredSyncTest, WritesNobodyCoversShareOneSyncOnceTheOldestHasWaited) {
  FakeLog log;
  Outcomes outcomes;
  const absl::Duration wait = absl::Milliseconds(30);
  DeferredSync deferred(log.log(), wait);
  absl::Time start = absl::Now();
  for (int id = 1; id <= 3; ++id) deferred.WhenDurable(log.Write(), outcomes.For(id));
  EXPECT_THAT(outcomes.Await(3), ElementsAre("1 OK", "2 OK", "3 OK"));
  EXPECT_GE(absl::Now() - start, wait);
  EXPECT_EQ(log.syncs(), 1);
}

TEST(DeferredSyncTest, ACoveredWriteIsReportedWithoutWaitingForAnUncoveredOne) {
  FakeLog log;
  Outcomes outcomes;
  DeferredSync deferred(log.log(), absl::Milliseconds(20));
  deferred.WhenDurable(log.Write(), outcomes.For(1));
  log.SyncedWrite();
  // Handed over after the synced write: nobody covers it but a sync.
  deferred.WhenDurable(log.Write(), outcomes.For(2));
  EXPECT_THAT(outcomes.Await(2), ElementsAre("1 OK", "2 OK"));
  EXPECT_EQ(log.syncs(), 1);
}

TEST(DeferredSyncTest, AFailedSyncIsReportedToEveryWriteItShouldHaveCovered) {
  FakeLog log;
  log.FailSyncs();
  Outcomes outcomes;
  DeferredSync deferred(log.log(), absl::Milliseconds(1));
  deferred.WhenDurable(log.Write(), outcomes.For(1));
  deferred.WhenDurable(log.Write(), outcomes.For(2));
  EXPECT_THAT(outcomes.Await(2), ElementsAre("1 UNAVAILABLE", "2 UNAVAILABLE"));
}

TEST(DeferredSyncTest, TheDestructorSyncsAndReportsWhatStillWaits) {
  FakeLog log;
  Outcomes outcomes;
  {
    DeferredSync deferred(log.log(), absl::Hours(1));
    deferred.WhenDurable(log.Write(), outcomes.For(1));
  }
  EXPECT_THAT(outcomes.Await(1), ElementsAre("1 OK"));
  EXPECT_EQ(log.syncs(), 1);
}

}  // namespace
}  // namespace spoolgate::spooler
