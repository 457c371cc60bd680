#include "services/spooler/deferred_sync.h"

#include <utility>

namespace spoolgate::spooler {

DeferredSync::DeferredSync(Log log, absl::Duration max_wait)
    : log_(std::move(log)), max_wait_(max_wait), thread_([this] { Run(); }) {}

DeferredSync::~DeferredSync() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void DeferredSync::WhenDurable(uint64_t position, Done done) {
  absl::MutexLock lock(&mu_);
  waiting_.push_back(Waiting{position, absl::Now(), std::move(done)});
}

void DeferredSync::Run() {
  absl::MutexLock lock(&mu_);
  while (true) {
    auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || !waiting_.empty(); };
    mu_.Await(absl::Condition(&work));
    if (waiting_.empty()) return;  // stopped, nothing left
    // Give other synced writes until the oldest has waited max_wait.
    if (!stop_) {
      auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      mu_.AwaitWithDeadline(absl::Condition(&stopped), waiting_.front().since + max_wait_);
    }
    std::deque<Waiting> ready;
    absl::Status status;
    uint64_t durable = log_.durable();
    if (waiting_.front().position > durable) {
      // Nothing synced the oldest in time: one sync covers everything
      // written so far, so every write waiting now.
      ready.swap(waiting_);
      mu_.Unlock();
      status = log_.sync();
    } else {
      // Those covered already; the rest wait for their own time.
      while (!waiting_.empty() && waiting_.front().position <= durable) {
        ready.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
      mu_.Unlock();
    }
    for (Waiting& w : ready) w.done(status);
    mu_.Lock();
  }
}

}  // namespace spoolgate::spooler
