#include "services/spooler/recovery.h"

#include <vector>

#include "lib/base/status_macros.h"

namespace spoolgate::spooler {

absl::StatusOr<RecoveryReport> RecoverStore(JobStore& store, absl::Time now) {
  RecoveryReport report;
  std::vector<v1::Job> receiving, printing;
  SPOOLGATE_RETURN_IF_ERROR(store.ForEachActiveJob([&](const v1::Job& job) {
    if (job.state() == v1::JOB_STATE_RECEIVING) receiving.push_back(job);
    if (job.state() == v1::JOB_STATE_PRINTING) printing.push_back(job);
    return true;
  }));
  for (const auto& job : receiving) {
    SPOOLGATE_RETURN_IF_ERROR(store.DeleteJob(job, /*sync=*/false));
    ++report.purged_receiving;
  }
  for (const auto& job : printing) {
    v1::Job updated = job;
    updated.set_state(v1::JOB_STATE_PENDING);
    updated.set_bytes_printed(0);
    updated.set_progress(0);
    updated.set_last_error("spooler restarted while printing");
    if (updated.history_size() > 0) {
      auto* attempt = updated.mutable_history(updated.history_size() - 1);
      if (attempt->finished_unix_micros() == 0) {
        attempt->set_finished_unix_micros(absl::ToUnixMicros(now));
        attempt->set_outcome("spooler restarted");
      }
    }
    SPOOLGATE_RETURN_IF_ERROR(store.PutJob(&job, updated, /*sync=*/false));
    ++report.requeued_printing;
  }
  SPOOLGATE_ASSIGN_OR_RETURN(auto orphans, store.OrphanDataJobIds());
  for (uint64_t id : orphans) {
    SPOOLGATE_RETURN_IF_ERROR(store.DeleteJobData(id, /*sync=*/false));
    ++report.orphaned_data;
  }
  SPOOLGATE_RETURN_IF_ERROR(store.SyncData());
  return report;
}

}  // namespace spoolgate::spooler
