// The queue list every FTP session reads (CWD, STOR, LIST, the welcome): the
// gateway's shared QueueListCache, with names compared as Jetdirect port
// names are, without regard to case (cd PORT1).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/intake/queue_list_cache.h"
#include "services/ftp-gateway/ftp_session.h"

namespace spoolgate::ftp {

class QueueCache : public QueueDirectory {
 public:
  using List = QueueListCache<QueueInfo>;

  QueueCache(List::Fetch fetch, absl::Duration max_age, List::Clock clock = absl::Now,
             List::Sleep sleep = absl::SleepFor)
      : list_(std::move(fetch), max_age, std::move(clock), std::move(sleep)) {}

  absl::StatusOr<std::vector<QueueInfo>> Queues() override { return list_.List(); }
  absl::StatusOr<QueueInfo> Find(absl::string_view name) override;

 private:
  List list_;
};

}  // namespace spoolgate::ftp
