// Runs tasks on threads that outlive them. A task goes to a thread that is
// waiting for work if there is one, else to a new thread: a task that
// blocks (an fsync, a socket read, a full disk's back-pressure) never holds
// up the tasks queued behind it, as it would in a fixed-size pool. A thread
// whose task is done waits a while for the next one instead of ending,
// because on a virtual machine starting a thread costs more than most of
// the tasks given to it.
//
// Thread-safe. Owns its threads: Stop() (or the destructor) runs what is
// queued, waits for running tasks and joins every thread.
#pragma once

#include <deque>
#include <functional>
#include <list>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace spoolgate {

class TaskPool {
 public:
  struct Options {
    // Threads without a task that are kept; more end at once.
    int max_idle = 16;
    // How long a thread without a task waits for one before it ends.
    absl::Duration idle_timeout = absl::Seconds(60);
  };

  TaskPool() : TaskPool(Options()) {}
  explicit TaskPool(Options options) : options_(options) {}
  ~TaskPool() { Stop(); }
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Starts `task` on a waiting or a new thread. After Stop() it runs on the
  // caller's thread instead, so that a task is never lost.
  void Run(std::function<void()> task);

  // Runs the queued tasks, waits for the running ones and joins every
  // thread. Idempotent.
  void Stop();

  // Threads alive, running a task or waiting; and those waiting.
  int threads() const;
  int idle_threads() const;

 private:
  struct Worker {
    std::thread thread;
    bool done = false;  // guarded by mu_; the thread has returned or is about to
  };

  void RunWorker(Worker* self);
  // Waits for a task for a thread that has none; false: end the thread.
  bool TakeNext(std::function<void()>* task);
  // Moves the oldest queued task to `task`; false if none is queued.
  bool TakeQueuedLocked(std::function<void()>* task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the workers whose thread has ended to `finished`, to be joined.
  void TakeFinishedLocked(std::list<Worker>* finished) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<std::function<void()>> queued_ ABSL_GUARDED_BY(mu_);  // no thread yet
  int idle_ ABSL_GUARDED_BY(mu_) = 0;  // threads waiting in TakeNext
  std::list<Worker> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace spoolgate
