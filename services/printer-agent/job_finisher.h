// The thread on which a printer's finished jobs are made durable and
// reported while its worker already prints the next one. Tasks run one at
// a time, in the order they were posted, so reports keep the jobs' order.
//
// Thread safe. The destructor runs what is posted and joins the thread.
#pragma once

#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace spoolgate::agent {

class JobFinisher {
 public:
  JobFinisher();
  ~JobFinisher();
  JobFinisher(const JobFinisher&) = delete;
  JobFinisher& operator=(const JobFinisher&) = delete;

  void Post(std::function<void()> task);

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace spoolgate::agent
