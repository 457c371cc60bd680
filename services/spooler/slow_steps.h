// Where the spooler's gRPC callback handlers run work that may wait for the
// disk: synced writes, spool-file writes and syncs.
//
// gRPC runs callbacks on a couple of threads that also poll every
// connection. One of them at a time may wait for the disk itself, which
// costs no thread switch; while it does, such work goes to a pool, so that
// the other keeps serving connections, and steps waiting together share
// an fsync (group commit). Thread safe.
#pragma once

#include <atomic>
#include <functional>

#include "lib/base/task_pool.h"

namespace spoolgate::spooler {

class SlowSteps {
 public:
  // Runs `step` on the calling callback thread unless another one is
  // already waiting for the disk; on the pool then. `step` may end the
  // stream it belongs to.
  void Run(std::function<void()> step);
  // Runs `step` on the pool.
  void RunOnPool(std::function<void()> step) { pool_.Run(std::move(step)); }
  // Waits for the steps on the pool and ends its threads.
  void Stop() { pool_.Stop(); }

 private:
  TaskPool pool_;
  std::atomic<bool> inline_busy_{false};
};

}  // namespace spoolgate::spooler
