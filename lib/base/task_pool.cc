#include "lib/base/task_pool.h"

#include <iterator>

namespace spoolgate {

int TaskPool::threads() const {
  absl::MutexLock lock(&mu_);
  int alive = 0;
  for (const auto& w : workers_) alive += w.done ? 0 : 1;
  return alive;
}

int TaskPool::idle_threads() const {
  absl::MutexLock lock(&mu_);
  return idle_;
}

void TaskPool::TakeFinishedLocked(std::list<Worker>* finished) {
  for (auto it = workers_.begin(); it != workers_.end();) {
    auto next = std::next(it);
    if (it->done) finished->splice(finished->end(), workers_, it);
    it = next;
  }
}

void TaskPool::Run(std::function<void()> task) {
  std::list<Worker> finished;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queued_.push_back(std::move(task));
      // Every queued task needs a waiting thread of its own; one takes it
      // when mu_ is released.
      if (static_cast<int>(queued_.size()) > idle_) {
        // Threads that ended are joined when another starts: that bounds
        // their number without a scan for every task.
        TakeFinishedLocked(&finished);
        Worker* worker = &workers_.emplace_back();
        worker->thread = std::thread([this, worker] { RunWorker(worker); });
      }
      task = nullptr;  // queued: nothing to run here
    }
  }
  for (auto& w : finished) w.thread.join();
  if (task) task();  // after Stop(): on the caller's thread
}

bool TaskPool::TakeNext(std::function<void()>* task) {
  absl::MutexLock lock(&mu_);
  if (TakeQueuedLocked(task)) return true;
  if (stopping_ || idle_ >= options_.max_idle) return false;
  ++idle_;
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queued_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), options_.idle_timeout);
  --idle_;
  return TakeQueuedLocked(task);  // false: stopping with nothing queued, or idle too long
}

bool TaskPool::TakeQueuedLocked(std::function<void()>* task) {
  if (queued_.empty()) return false;
  *task = std::move(queued_.front());
  queued_.pop_front();
  return true;
}

void TaskPool::RunWorker(Worker* self) {
  std::function<void()> task;
  while (TakeNext(&task)) {
    task();
    task = nullptr;  // whatever it holds is released before the thread waits
  }
  absl::MutexLock lock(&mu_);
  self->done = true;
}

void TaskPool::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;  // waiting threads take what is queued, then end
  }
  // Joined without mu_: a running task may queue another (run inline now).
  while (true) {
    std::list<Worker> all;
    {
      absl::MutexLock lock(&mu_);
      all.splice(all.end(), workers_);
    }
    if (all.empty()) break;
    for (auto& w : all) w.thread.join();
  }
}

}  // namespace spoolgate
