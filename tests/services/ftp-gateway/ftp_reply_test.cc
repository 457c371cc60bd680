// The status -> FTP reply table, row by row, and the shared queue cache.
#include "services/ftp-gateway/ftp_reply.h"

#include <gtest/gtest.h>

#include "services/ftp-gateway/queue_cache.h"

namespace spoolgate::ftp {
namespace {

struct Row {
  absl::Status status;
  int lookup;  // reply to a CWD, LIST or STAT
  int upload;  // reply to a STOR
};

TEST(FtpReplyTest, EveryStatusHasItsReply) {
  const Row rows[] = {
      {absl::NotFoundError("no queue"), 550, 550},
      {absl::FailedPreconditionError("not accepting"), 550, 550},
      {absl::PermissionDeniedError("host"), 550, 550},
      {absl::ResourceExhaustedError("quota: 3 jobs a day"), 552, 552},
      {absl::ResourceExhaustedError("disk full"), 452, 452},
      {absl::InvalidArgumentError("bad name"), 501, 501},
      {absl::OutOfRangeError("too big"), 501, 501},
      {absl::AbortedError("aborted"), 426, 426},
      {absl::DataLossError("cut"), 426, 426},
      {absl::UnavailableError("connection refused"), 450, 451},
      {absl::DeadlineExceededError("slow"), 450, 451},
      {absl::CancelledError("cancelled"), 450, 451},
      {absl::InternalError("bug"), 450, 451},
      {absl::UnknownError("?"), 450, 451},
      {absl::UnauthenticatedError("admin token"), 450, 451},
      {absl::UnimplementedError("old spooler"), 450, 451},
      {absl::AlreadyExistsError("dup"), 450, 451},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FtpReplyFor(row.status, FtpStep::kLookup).code, row.lookup) << row.status;
    EXPECT_EQ(FtpReplyFor(row.status, FtpStep::kUpload).code, row.upload) << row.status;
  }
  EXPECT_TRUE(SpoolerUnreachable(absl::UnavailableError("down")));
  EXPECT_FALSE(SpoolerUnreachable(absl::NotFoundError("no queue")));
}

TEST(QueueCacheTest, OneFetchServesManyAndAMissRefreshes) {
  int fetches = 0;
  absl::Time now = absl::FromUnixSeconds(1000);
  std::vector<QueueInfo> queues(1);
  queues[0].name = "office";
  absl::Status outage;
  QueueCache cache(
      [&]() -> absl::StatusOr<std::vector<QueueInfo>> {
        ++fetches;
        if (!outage.ok()) return outage;
        return queues;
      },
      absl::Seconds(2), [&] { return now; }, [&](absl::Duration d) { now += d; });
  ASSERT_TRUE(cache.Find("Office").ok());
  ASSERT_TRUE(cache.Queues().ok());
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(cache.Find("OFFICE")->name, "office");
  // A queue created since is found: a miss fetches the list again.
  queues.emplace_back().name = "new";
  EXPECT_EQ(cache.Find("new")->name, "new");
  EXPECT_EQ(fetches, 2);
  // So does any miss, but at most once per QueueListCache::kMissRefreshAge.
  absl::Time before = now;
  EXPECT_EQ(cache.Find("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(fetches, 3);
  EXPECT_EQ(now - before, QueueCache::List::kMissRefreshAge);
  // After max_age the list is fetched again; an outage is an error, not an empty list.
  now += absl::Seconds(3);
  outage = absl::UnavailableError("down");
  EXPECT_EQ(cache.Queues().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache.Find("office").status().code(), absl::StatusCode::kUnavailable);
  outage = absl::OkStatus();
  EXPECT_TRUE(cache.Find("office").ok());
}

}  // namespace
}  // namespace spoolgate::ftp
