// Startup repair of the store after any stop, clean or not (docs/design.md):
// - RECEIVING jobs were never acknowledged: their records and data go;
// - PRINTING jobs lost their agent with the old process: back to PENDING
//   (at-least-once printing), the interrupted attempt recorded.
// (Data without a record cannot arise since data is written with its
// record; JobStore deletes what older versions left when it converts.)
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/spooler/job_store.h"

namespace spoolgate::spooler {

struct RecoveryReport {
  uint32_t purged_receiving = 0;
  uint32_t requeued_printing = 0;
  // Every job not yet final, as repaired: what the spooler starts with.
  std::vector<v1::Job> active;
};

// Reads the jobs not yet final once (never history) and repairs them.
absl::StatusOr<RecoveryReport> RecoverStore(JobStore& store, absl::Time now);

}  // namespace spoolgate::spooler
