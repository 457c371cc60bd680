// Durability for writes that must reach the disk but that nobody waits on:
// a print job's completion. Nothing is acknowledged on it, so instead of
// an fsync of its own it is written unsynced and handed here. Usually the
// next synced write (an intake commit, whose WAL fsync covers everything
// written before it) makes it durable for free; if none has by the time it
// has waited `max_wait`, one log sync covers all that wait by then. Each
// write's `done` runs on this class's thread once it is durable, in the
// order the writes were handed over.
//
// Thread safe. The destructor syncs what still waits, runs every `done`,
// and joins the thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace spoolgate::spooler {

class DeferredSync {
 public:
  // What it needs of the write-ahead log. Positions are RocksDB sequence
  // numbers: a write is durable once durable() reaches the position read
  // after the write returned.
  struct Log {
    std::function<uint64_t()> durable;   // every write up to here is on disk
    std::function<absl::Status()> sync;  // syncs the log; advances durable()
  };
  // Called once the write is durable, or with the error of the sync that
  // should have made it so.
  using Done = std::function<void(const absl::Status&)>;

  DeferredSync(Log log, absl::Duration max_wait);
  ~DeferredSync();
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;

  // Runs `done` once every write up to `position` is durable.
  void WhenDurable(uint64_t position, Done done);

 private:
  struct Waiting {
    uint64_t position;
    absl::Time since;
    Done done;
  };

  void Run();

  const Log log_;
  const absl::Duration max_wait_;
  absl::Mutex mu_;
  std::deque<Waiting> waiting_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace spoolgate::spooler
