#include "lib/base/task_pool.h"

#include <atomic>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace spoolgate {
namespace {

// Polls `done` every 2 ms for up to 5 s.
template <typename Predicate>
bool Eventually(Predicate done) {
  for (int i = 0; i < 2500; ++i) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return done();
}

TEST(TaskPoolTest, TasksOneAfterAnotherRunOnOneThread) {
  TaskPool pool;
  std::map<std::thread::id, int> seen;
  for (int i = 0; i < 20; ++i) {
    absl::Notification ran;
    pool.Run([&] {
      ++seen[std::this_thread::get_id()];
      ran.Notify();
    });
    ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(5)));
    // The task is done before its thread is back waiting.
    ASSERT_TRUE(Eventually([&] { return pool.idle_threads() == 1; }));
  }
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(pool.threads(), 1);
}

TEST(TaskPoolTest, BlockedTasksDoNotHoldUpOthers) {
  TaskPool pool;
  absl::Notification release;
  std::atomic<int> running{0};
  for (int i = 0; i < 6; ++i) {
    pool.Run([&] {
      ++running;
      release.WaitForNotification();
    });
  }
  // All six run at once, each on a thread of its own.
  EXPECT_TRUE(Eventually([&] { return running.load() == 6; }));
  EXPECT_EQ(pool.threads(), 6);
  release.Notify();
  EXPECT_TRUE(Eventually([&] { return pool.idle_threads() == 6; }));
}

TEST(TaskPoolTest, KeepsAtMostMaxIdleThreads) {
  TaskPool pool(TaskPool::Options{/*max_idle=*/2, absl::Seconds(60)});
  absl::Notification release;
  std::atomic<int> finished{0};
  for (int i = 0; i < 5; ++i) {
    pool.Run([&] {
      release.WaitForNotification();
      ++finished;
    });
  }
  release.Notify();
  EXPECT_TRUE(Eventually([&] { return finished.load() == 5 && pool.threads() == 2; }));
  EXPECT_EQ(pool.idle_threads(), 2);
}

TEST(TaskPoolTest, IdleThreadsEndAfterTheirTimeout) {
  TaskPool pool(TaskPool::Options{/*max_idle=*/4, absl::Milliseconds(50)});
  absl::Notification ran;
  pool.Run([&] { ran.Notify(); });
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_TRUE(Eventually([&] { return pool.threads() == 0; }));
  // And a new task still runs.
  absl::Notification again;
  pool.Run([&] { again.Notify(); });
  EXPECT_TRUE(again.WaitForNotificationWithTimeout(absl::Seconds(5)));
}

TEST(TaskPoolTest, StopRunsQueuedTasksAndLaterOnesInline) {
  TaskPool pool;
  std::atomic<int> ran{0};
  absl::Notification release;
  for (int i = 0; i < 3; ++i) {
    pool.Run([&] {
      release.WaitForNotification();
      ++ran;
    });
  }
  std::thread stopper([&] { pool.Stop(); });
  release.Notify();
  stopper.join();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(pool.threads(), 0);
  std::thread::id ran_on;
  pool.Run([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

}  // namespace
}  // namespace spoolgate
