#include "services/ftp-gateway/queue_cache.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace spoolgate::ftp {
namespace {

// A miss refreshes the list only if it is older than this: a client probing
// names that do not exist cannot make every command cost an RPC.
constexpr absl::Duration kMissRefreshAge = absl::Milliseconds(500);

}  // namespace

QueueCache::QueueCache(Fetch fetch, absl::Duration max_age, Clock clock)
    : fetch_(std::move(fetch)), max_age_(max_age), clock_(std::move(clock)) {}

absl::StatusOr<std::vector<QueueInfo>> QueueCache::ListNotOlderThan(absl::Duration age) {
  absl::MutexLock lock(&mu_);
  if (clock_() - fetched_ <= age) return queues_;
  // Fetched under the lock: sessions that need the list at the same moment
  // wait for one RPC instead of each making their own.
  auto fresh = fetch_();
  if (!fresh.ok()) {
    fetched_ = absl::InfinitePast();
    return fresh.status();
  }
  queues_ = *std::move(fresh);
  fetched_ = clock_();
  return queues_;
}

absl::StatusOr<std::vector<QueueInfo>> QueueCache::Queues() { return ListNotOlderThan(max_age_); }

absl::StatusOr<QueueInfo> QueueCache::Find(absl::string_view name) {
  for (absl::Duration age : {max_age_, kMissRefreshAge}) {
    auto queues = ListNotOlderThan(age);
    if (!queues.ok()) return queues.status();
    for (const auto& q : *queues) {
      // Jetdirect port names are case-insensitive (cd PORT1); so are ours.
      if (absl::EqualsIgnoreCase(q.name, name)) return q;
    }
  }
  return absl::NotFoundError(absl::StrCat("No such queue: ", name));
}

}  // namespace spoolgate::ftp
