// Startup repair of the store after any stop, clean or not (docs/design.md):
// - RECEIVING jobs were never acknowledged: their records and data go;
// - PRINTING jobs lost their agent with the old process: back to PENDING
//   (at-least-once printing), the interrupted attempt recorded;
// - data without a job record (a crash between writes) is deleted.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/spooler/job_store.h"

namespace spoolgate::spooler {

struct RecoveryReport {
  uint32_t purged_receiving = 0;
  uint32_t requeued_printing = 0;
  uint32_t orphaned_data = 0;
};

absl::StatusOr<RecoveryReport> RecoverStore(JobStore& store, absl::Time now);

}  // namespace spoolgate::spooler
