// The spooler's queue list as a gateway's connections share it: fetched at
// most once per `max_age` for all of them together, and again on a miss so
// that a queue created a moment ago is found. A gateway checks a queue name
// here instead of asking the spooler for every job or command.
//
// Thread safe. The fetch, the clock and sleeping are injected, so it is
// tested without a spooler and without waiting.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace spoolgate {

// `Entry` describes one queue and has a `std::string name`.
template <typename Entry>
class QueueListCache {
 public:
  using Fetch = std::function<absl::StatusOr<std::vector<Entry>>()>;
  using Clock = std::function<absl::Time()>;
  using Sleep = std::function<void(absl::Duration)>;

  // A miss is answered from a list fetched after it was asked, so a queue
  // created just before is found. Misses fetch at most once per this long:
  // one that comes sooner after a fetch waits out the rest, so a client
  // probing names that do not exist cannot make every request cost an RPC
  // (and is slowed down).
  static constexpr absl::Duration kMissRefreshAge = absl::Milliseconds(100);

  QueueListCache(Fetch fetch, absl::Duration max_age, Clock clock = absl::Now,
                 Sleep sleep = absl::SleepFor)
      : fetch_(std::move(fetch)), max_age_(max_age), clock_(std::move(clock)),
        sleep_(std::move(sleep)) {}

  absl::StatusOr<std::vector<Entry>> List() {
    absl::MutexLock lock(&mu_);
    if (auto s = RefreshIfOlderLocked(max_age_); !s.ok()) return s;
    return entries_;
  }

  // The queue called `name` (compared without regard to case if
  // `ignore_case`); NotFound if none in a list fetched after the call began.
  absl::StatusOr<Entry> Find(absl::string_view name, bool ignore_case) {
    const absl::Time asked = clock_();
    absl::Duration wait;
    {
      absl::MutexLock lock(&mu_);
      if (auto s = RefreshIfOlderLocked(max_age_); !s.ok()) return s;
      if (const Entry* e = FindLocked(name, ignore_case)) return *e;
      if (fetched_ > asked) return NotFound(name);  // that refresh was this call's
      wait = fetched_ + kMissRefreshAge - clock_();
    }
    if (wait > absl::ZeroDuration()) sleep_(wait);
    absl::MutexLock lock(&mu_);
    // Another miss may have fetched meanwhile, after this one was asked.
    if (fetched_ <= asked) {
      if (auto s = FetchLocked(); !s.ok()) return s;
    }
    if (const Entry* e = FindLocked(name, ignore_case)) return *e;
    return NotFound(name);
  }

 private:
  static absl::Status NotFound(absl::string_view name) {
    return absl::NotFoundError(absl::StrCat("no queue '", name, "'"));
  }

  const Entry* FindLocked(absl::string_view name, bool ignore_case) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    for (const Entry& e : entries_) {
      if (ignore_case ? absl::EqualsIgnoreCase(e.name, name) : e.name == name) return &e;
    }
    return nullptr;
  }

  absl::Status RefreshIfOlderLocked(absl::Duration age) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (clock_() - fetched_ <= age) return absl::OkStatus();
    return FetchLocked();
  }

  absl::Status FetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // Fetched under the lock: connections that need the list at the same
    // moment wait for one RPC instead of each making their own. Stamped
    // with when the fetch began: it holds every queue created before that.
    absl::Time began = clock_();
    auto fresh = fetch_();
    if (!fresh.ok()) {
      fetched_ = absl::InfinitePast();
      return fresh.status();
    }
    entries_ = *std::move(fresh);
    fetched_ = began;
    return absl::OkStatus();
  }

  const Fetch fetch_;
  const absl::Duration max_age_;
  const Clock clock_;
  const Sleep sleep_;
  absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  absl::Time fetched_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace spoolgate
