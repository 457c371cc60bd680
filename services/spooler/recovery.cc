#include "services/spooler/recovery.h"

#include <vector>

#include "lib/base/status_macros.h"

namespace spoolgate::spooler {

absl::StatusOr<RecoveryReport> RecoverStore(JobStore& store, absl::Time now) {
  RecoveryReport report;
  std::vector<v1::Job> receiving;
  SPOOLGATE_RETURN_IF_ERROR(store.ForEachActiveJob([&](v1::Job job) {
    if (job.state() == v1::JOB_STATE_RECEIVING) {
      receiving.push_back(std::move(job));
    } else {
      report.active.push_back(std::move(job));
    }
    return true;
  }));
  for (const auto& job : receiving) {
    SPOOLGATE_RETURN_IF_ERROR(store.DeleteJob(job, /*sync=*/false));
    ++report.purged_receiving;
  }
  for (auto& job : report.active) {
    if (job.state() != v1::JOB_STATE_PRINTING) continue;
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
    job = std::move(updated);
    ++report.requeued_printing;
  }
  SPOOLGATE_RETURN_IF_ERROR(store.SyncData());
  return report;
}

}  // namespace spoolgate::spooler
