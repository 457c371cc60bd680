#include "lib/intake/queue_list_cache.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace spoolgate {
namespace {

struct Entry {
  std::string name;
  bool accepting = true;
};

// A fetch that counts its calls and returns `queues` (or `error`), on a
// clock the test moves by hand; sleeping moves it too.
class QueueListCacheTest : public ::testing::Test {
 protected:
  QueueListCache<Entry> MakeCache(absl::Duration max_age) {
    return QueueListCache<Entry>(
        [this]() -> absl::StatusOr<std::vector<Entry>> {
          ++fetches_;
          if (!error_.ok()) return error_;
          return queues_;
        },
        max_age, [this] { return now_; },
        [this](absl::Duration d) {
          slept_ += d;
          now_ += d;
          if (while_asleep_) std::exchange(while_asleep_, nullptr)();
        });
  }

  std::vector<Entry> queues_ = {{"office", true}, {"Lab", false}};
  absl::Status error_;
  int fetches_ = 0;
  absl::Time now_ = absl::FromUnixSeconds(1000);
  absl::Duration slept_;
  std::function<void()> while_asleep_;  // what other callers do meanwhile
};

TEST_F(QueueListCacheTest, FetchesOncePerMaxAgeForAllCallers) {
  auto cache = MakeCache(absl::Seconds(2));
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(cache.Find("office", false).ok());
    ASSERT_EQ(cache.List()->size(), 2u);
  }
  EXPECT_EQ(fetches_, 1);
  now_ += absl::Seconds(3);
  ASSERT_TRUE(cache.Find("office", false).ok());
  EXPECT_EQ(fetches_, 2);
}

TEST_F(QueueListCacheTest, ComparesNamesExactlyOrWithoutCase) {
  auto cache = MakeCache(absl::Seconds(2));
  auto lab = cache.Find("lab", /*ignore_case=*/true);
  ASSERT_TRUE(lab.ok());
  EXPECT_EQ(lab->name, "Lab");
  EXPECT_FALSE(lab->accepting);
  auto exact = cache.Find("lab", /*ignore_case=*/false);
  EXPECT_TRUE(absl::IsNotFound(exact.status()));
  EXPECT_EQ(exact.status().message(), "no queue 'lab'");
}

TEST_F(QueueListCacheTest, AQueueCreatedJustAfterAFetchIsFoundOnceTheMissWaitedItsTurn) {
  auto cache = MakeCache(absl::Seconds(2));
  ASSERT_TRUE(cache.Find("office", false).ok());
  queues_.push_back({"new", true});
  // The list is brand new, but older than the question: fetched again
  // once it is kMissRefreshAge old.
  EXPECT_TRUE(cache.Find("new", false).ok());
  EXPECT_EQ(fetches_, 2);
  EXPECT_EQ(slept_, QueueListCache<Entry>::kMissRefreshAge);
  // A list already that old is fetched again at once.
  queues_.push_back({"newer", true});
  now_ += absl::Seconds(1);
  EXPECT_TRUE(cache.Find("newer", false).ok());
  EXPECT_EQ(fetches_, 3);
  EXPECT_EQ(slept_, QueueListCache<Entry>::kMissRefreshAge);
}

TEST_F(QueueListCacheTest, ProbingNamesCostsOneFetchPerMissRefreshAgeAtMost) {
  auto cache = MakeCache(absl::Seconds(2));
  ASSERT_TRUE(cache.Find("office", false).ok());
  absl::Time start = now_;
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(absl::IsNotFound(cache.Find("nope", false).status()));
  }
  EXPECT_EQ(fetches_, 11);
  EXPECT_GE(now_ - start, 10 * QueueListCache<Entry>::kMissRefreshAge);
}

TEST_F(QueueListCacheTest, AMissUsesAListAnotherCallerFetchedAfterItWasAsked) {
  auto cache = MakeCache(absl::Seconds(2));
  ASSERT_TRUE(cache.Find("office", false).ok());
  queues_.push_back({"new", true});
  // While this miss waits, another connection's request fetches the list.
  while_asleep_ = [&] {
    now_ += absl::Seconds(3);
    ASSERT_TRUE(cache.List().ok());
  };
  EXPECT_TRUE(cache.Find("new", false).ok());
  EXPECT_EQ(fetches_, 2);  // not a third
}

TEST_F(QueueListCacheTest, AFailedFetchIsReportedAndNotKept) {
  auto cache = MakeCache(absl::Seconds(2));
  error_ = absl::UnavailableError("spooler down");
  EXPECT_EQ(cache.Find("office", false).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache.List().status().code(), absl::StatusCode::kUnavailable);
  error_ = absl::OkStatus();
  EXPECT_TRUE(cache.Find("office", false).ok());  // at once, not after max_age
}

}  // namespace
}  // namespace spoolgate
