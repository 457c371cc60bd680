// The spooler's queue list as a gateway's connections share it: fetched at
// most once per `max_age` for all of them together, and again on a miss so
// that a queue created a moment ago is found. A gateway checks a queue name
// here instead of asking the spooler for every job or command.
//
// Thread safe. The fetch and the clock are injected, so it is tested
// without a spooler.
#pragma once

#include <functional>
#include <initializer_list>
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

  // A miss refreshes the list only if it is older than this, so a client
  // probing names that do not exist cannot make every request cost an RPC.
  static constexpr absl::Duration kMissRefreshAge = absl::Milliseconds(500);

  QueueListCache(Fetch fetch, absl::Duration max_age, Clock clock = absl::Now)
      : fetch_(std::move(fetch)), max_age_(max_age), clock_(std::move(clock)) {}

  absl::StatusOr<std::vector<Entry>> List() {
    absl::MutexLock lock(&mu_);
    if (auto s = RefreshIfOlderLocked(max_age_); !s.ok()) return s;
    return entries_;
  }

  // The queue called `name` (compared without regard to case if
  // `ignore_case`); NotFound if none, even after a refresh.
  absl::StatusOr<Entry> Find(absl::string_view name, bool ignore_case) {
    for (absl::Duration age : {max_age_, kMissRefreshAge}) {
      absl::MutexLock lock(&mu_);
      if (auto s = RefreshIfOlderLocked(age); !s.ok()) return s;
      for (const Entry& e : entries_) {
        if (ignore_case ? absl::EqualsIgnoreCase(e.name, name) : e.name == name) return e;
      }
    }
    return absl::NotFoundError(absl::StrCat("no queue '", name, "'"));
  }

 private:
  absl::Status RefreshIfOlderLocked(absl::Duration age) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (clock_() - fetched_ <= age) return absl::OkStatus();
    // Fetched under the lock: connections that need the list at the same
    // moment wait for one RPC instead of each making their own.
    auto fresh = fetch_();
    if (!fresh.ok()) {
      fetched_ = absl::InfinitePast();
      return fresh.status();
    }
    entries_ = *std::move(fresh);
    fetched_ = clock_();
    return absl::OkStatus();
  }

  const Fetch fetch_;
  const absl::Duration max_age_;
  const Clock clock_;
  absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  absl::Time fetched_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace spoolgate
