// The thread on which a printer's finished jobs are made durable and
// reported while its worker already prints the next one. Jobs are
// published and reported in the order they were posted. Jobs posted while
// earlier ones are being published join them: they are published in a
// row and share one sync (on dir:, one directory fsync for all their
// renames) before any of them is reported.
//
// Thread safe. The destructor runs what is posted and joins the thread.
#pragma once

#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/printer-agent/device.h"

namespace spoolgate::agent {

class JobFinisher {
 public:
  // Called with the job's outcome once it is durable, or has failed.
  using Report = std::function<void(const absl::Status&)>;

  JobFinisher();
  ~JobFinisher();
  JobFinisher(const JobFinisher&) = delete;
  JobFinisher& operator=(const JobFinisher&) = delete;

  // Publishes `end` (all of it from one device), then calls `report`.
  void Post(Device::Finish end, Report report);

 private:
  struct Task {
    Device::Finish end;
    Report report;
  };
  // Jobs that share a sync at most: bounds how long the first waits.
  static constexpr size_t kMaxBatch = 16;

  void Run();
  // Moves queued tasks to `batch`, up to kMaxBatch in all; false if none.
  bool TakeQueuedLocked(std::deque<Task>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Publishes the batch and what joins it meanwhile, syncs once, and
  // reports each job in order.
  void FinishBatch(std::deque<Task>& batch);

  absl::Mutex mu_;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace spoolgate::agent
