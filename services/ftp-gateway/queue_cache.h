// The queue list every FTP session reads (CWD, STOR, LIST, the welcome),
// fetched from the spooler at most once per `max_age` for all sessions
// together, and again on a miss so that a queue created a moment ago is
// found. Thread safe; pure (the fetch and the clock are injected).
#pragma once

#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/ftp-gateway/ftp_session.h"

namespace spoolgate::ftp {

class QueueCache : public QueueDirectory {
 public:
  using Fetch = std::function<absl::StatusOr<std::vector<QueueInfo>>()>;
  using Clock = std::function<absl::Time()>;

  QueueCache(Fetch fetch, absl::Duration max_age, Clock clock = absl::Now);

  absl::StatusOr<std::vector<QueueInfo>> Queues() override;
  absl::StatusOr<QueueInfo> Find(absl::string_view name) override;

 private:
  // A fresh list if the kept one is older than `age`.
  absl::StatusOr<std::vector<QueueInfo>> ListNotOlderThan(absl::Duration age);

  const Fetch fetch_;
  const absl::Duration max_age_;
  const Clock clock_;
  absl::Mutex mu_;
  std::vector<QueueInfo> queues_ ABSL_GUARDED_BY(mu_);
  absl::Time fetched_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace spoolgate::ftp
