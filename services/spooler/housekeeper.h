// Housekeeping, every SpoolerOptions::housekeeping_period on its own
// thread: expired leases, jobs whose backoff ended, old retry keys,
// accounting records and history past their retention, the accounting log
// and the gauges.
//
// Thread safety: Housekeep() may be called from any thread (tests call it
// instead of starting the thread); RefreshGaugesLocked requires mu.
#pragma once

#include <thread>

#include "absl/synchronization/notification.h"
#include "services/spooler/dispatcher.h"
#include "services/spooler/intake.h"
#include "services/spooler/printers.h"
#include "services/spooler/spooler_state.h"

namespace spoolgate::spooler {

class Housekeeper {
 public:
  Housekeeper(SpoolerState& state, Printers& printers, Dispatcher& dispatcher, Intake& intake)
      : state_(state), printers_(printers), dispatcher_(dispatcher), intake_(intake) {}
  ~Housekeeper() { Stop(); }

  // Starts the periodic thread (if the options ask for one).
  void Start();
  // Stops it and writes the accounting log lines still queued. Idempotent.
  void Stop();
  void Housekeep() ABSL_LOCKS_EXCLUDED(state_.mu);
  void RefreshGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Writes the accounting log lines queued since the last call; never under mu.
  void FlushAccountingLog() ABSL_LOCKS_EXCLUDED(state_.mu);

 private:
  // After a failed write (a full disk) the store refuses writes until it
  // is resumed: tried every period, so jobs are taken again by themselves
  // once space is freed.
  void ResumeStoreWrites() ABSL_LOCKS_EXCLUDED(state_.mu);
  // The part of Housekeep that needs mu (which it takes).
  void HousekeepUnderLock() ABSL_LOCKS_EXCLUDED(state_.mu);
  // Deletes history older than --history, a batch at a time; never under mu.
  void PurgeHistory() ABSL_LOCKS_EXCLUDED(state_.mu);
  void HousekeepingLoop();

  SpoolerState& state_;
  Printers& printers_;
  Dispatcher& dispatcher_;
  Intake& intake_;
  bool store_refusal_logged_ = false;  // by the housekeeping thread only
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace spoolgate::spooler
