#include "services/printer-agent/job_finisher.h"

#include <utility>
#include <vector>

namespace spoolgate::agent {

JobFinisher::JobFinisher() : thread_([this] { Run(); }) {}

JobFinisher::~JobFinisher() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void JobFinisher::Post(Device::Finish end, Report report) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(Task{std::move(end), std::move(report)});
}

void JobFinisher::Run() {
  while (true) {
    std::deque<Task> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || !tasks_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (!TakeQueuedLocked(batch)) return;  // stopping, and nothing left to run
    }
    FinishBatch(batch);
  }
}

bool JobFinisher::TakeQueuedLocked(std::deque<Task>& batch) {
  size_t before = batch.size();
  while (!tasks_.empty() && batch.size() < kMaxBatch) {
    batch.push_back(std::move(tasks_.front()));
    tasks_.pop_front();
  }
  return batch.size() > before;
}

void JobFinisher::FinishBatch(std::deque<Task>& batch) {
  std::vector<absl::Status> published;
  // A published job whose sync covers the batch; a deque keeps the pointer
  // valid while more jobs join at its end.
  const Task* to_sync = nullptr;
  while (true) {
    for (size_t i = published.size(); i < batch.size(); ++i) {
      published.push_back(batch[i].end.publish());
      if (published.back().ok() && batch[i].end.sync) to_sync = &batch[i];
    }
    // A job posted while the others were published (the next one, written
    // meanwhile) shares their sync. The printer's jobs in hand bound this.
    absl::MutexLock lock(&mu_);
    if (!TakeQueuedLocked(batch)) break;
  }
  if (to_sync) to_sync->end.sync();
  for (size_t i = 0; i < batch.size(); ++i) batch[i].report(published[i]);
}

}  // namespace spoolgate::agent
