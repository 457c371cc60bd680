// Intake: admitting a job (queue state, size limits, disk space, quotas),
// receiving it through a Submission, and committing it in one synced write
// that recognises a client's retry.
//
// Thread safety: methods without the Locked suffix may be called from any
// thread and take SpoolerState::mu briefly; commits sync without it, so
// concurrent submitters share RocksDB's group commit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/spooler/dispatcher.h"
#include "services/spooler/spooler_state.h"
#include "services/spooler/submission.h"
#include "spoolgate/v1/admin.pb.h"
#include "spoolgate/v1/intake.pb.h"

namespace spoolgate::spooler {

class Intake {
 public:
  Intake(SpoolerState& state, Dispatcher& dispatcher) : state_(state), dispatcher_(dispatcher) {}

  // Checks the header against the queue's state and limits and reserves a
  // job id. The returned Submission receives the documents; destroying it
  // without Commit() discards the job.
  absl::StatusOr<std::unique_ptr<Submission>> BeginJob(const v1::JobHeader& header)
      ABSL_LOCKS_EXCLUDED(state_.mu);

  // For Submission. Commits `job` (documents complete) with the bytes of
  // its inline documents.
  struct CommitResult {
    uint32_t position = 0;      // jobs ahead of it
    uint64_t duplicate_of = 0;  // not 0: a retry of this job, not queued again
  };
  absl::StatusOr<CommitResult> CommitJob(v1::Job job, uint64_t bytes,
                                         const std::vector<JobStore::InlineDocument>& documents)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  // Removes the spool files a discarded job created; `reason` labels the
  // discard in the log and in jobs_refused_total.
  void AbandonJob(const v1::Job& job, const std::vector<std::string>& spool_files,
                  const char* reason) ABSL_LOCKS_EXCLUDED(state_.mu);
  // ResourceExhausted while the data disk is nearly full.
  absl::Status CheckDiskSpace() const;
  const SpoolFiles& spool_files() const { return state_.spool_files; }

  // ---- Quotas and retries ----
  absl::StatusOr<v1::GetQuotaResponse> GetQuota(const std::string& user)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  // Indexes a stored job's submission for quotas and retries (at start).
  void IndexSubmissionLocked(const v1::Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Reads recently finished jobs back into the quota and retry indexes.
  absl::Status LoadRecentHistoryLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Recounts the quota window of `queue`, e.g. after its quota was set.
  absl::Status RebuildQuotaIndexLocked(const v1::Queue& queue)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // How long retry keys must be kept: the longest window of any queue.
  absl::Duration LongestDuplicateWindowLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // The window a queue's quota counts jobs in; zero without a quota.
  static absl::Duration QuotaPeriod(const v1::Queue& queue);
  static absl::Duration DuplicateWindow(const v1::Queue& queue);

 private:
  // OK, or ResourceExhausted("quota: ...") when `user` may not submit
  // another job of `more_bytes` to `queue` now. Drops entries out of window.
  absl::Status CheckQuotaLocked(const v1::Queue& queue, const std::string& user,
                                uint64_t more_bytes, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  uint64_t MaxJobBytes(const v1::Queue& queue) const;

  SpoolerState& state_;
  Dispatcher& dispatcher_;
};

}  // namespace spoolgate::spooler
