// Changes to a job's record: every path that moves a job between states
// (intake's commit aside) goes through here, so that a change is written
// before it is shown, a synced write never holds the spooler's lock, and
// two changes to one job never overlap.
//
// Thread safety: every method requires SpoolerState::mu. Methods that
// write synced release it while the write runs (the job counts as
// settling meanwhile); their callers must look up again anything they
// found before the call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/spooler/deferred_sync.h"
#include "services/spooler/spooler_state.h"

namespace spoolgate::spooler {

class JobRecords {
 public:
  explicit JobRecords(SpoolerState& state);
  ~JobRecords();

  // Makes the completions still settling durable and applies them; those
  // recorded from now on are synced at once. For shutdown, before the
  // last flush of the accounting log.
  void SettleCompletions() ABSL_LOCKS_EXCLUDED(state_.mu);

  // Job `id` (null if not active) once no write of it is in flight; may
  // release mu while it waits.
  const v1::Job* SettledJobLocked(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // The same, or FailedPrecondition (final) / NotFound.
  absl::StatusOr<const v1::Job*> ActiveJobLocked(uint64_t id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

  // Persists `updated` (replacing the active record), and moves it to
  // history if its state is final (deleting its data). A synced write
  // releases mu while it runs.
  absl::Status UpdateJobLocked(v1::Job updated, bool sync) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Records a PRINTING job as completed (`updated`). False if the write
  // failed (the job is requeued). The record is written unsynced, and the
  // job settles (still PRINTING in memory) until that write is durable:
  // then it moves to history, its spool files go, and the change shows.
  // Nobody waits for that, so it needs no fsync of its own (DeferredSync).
  bool CompleteJobLocked(v1::Job updated) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Ends job `id` in `state`; a PRINTING job's attempt ends with
  // `attempt_outcome` when given.
  absl::StatusOr<v1::Job> FinishJobLocked(uint64_t id, v1::JobState state, const std::string& error,
                                          const char* attempt_outcome = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // How a failed attempt goes back to the queue. By default as retry-job:
  // after the queue's retry interval (or the doubling default backoff), and
  // FAILED once the queue's retry limit (or --max_attempts) is reached.
  struct Retry {
    bool limited = true;       // may end in FAILED
    bool backoff = true;       // waits before it may print again
    std::string only_printer;  // retry-current-job: pinned to this printer
  };
  void RequeueLocked(uint64_t id, const std::string& error, const Retry& retry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  void RequeueLocked(uint64_t id, const std::string& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
    RequeueLocked(id, error, Retry{});
  }
  // Closes the job's last attempt, if open.
  void EndAttemptLocked(v1::Job& job, const std::string& outcome, const std::string& error) const;
  // Unlinks the spool files of a job whose data is no longer needed.
  void RemoveSpoolFiles(const v1::Job& job) const;

 private:
  // The in-memory half of UpdateJobLocked, once `updated` is stored.
  // `remove_spool_files`: a final job's files go (false while its final
  // record may not be durable: the job could come back after a crash).
  void ApplyJobLocked(v1::Job updated, bool remove_spool_files = true)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // CompleteJobLocked's second half, once its write is durable (or its
  // sync failed: `status`).
  void CompletionSettled(v1::Job updated, const absl::Status& status) ABSL_LOCKS_EXCLUDED(state_.mu);
  // Runs `write` (a synced write of job `id`) with mu released.
  absl::Status WriteSettlingLocked(uint64_t id, const std::function<absl::Status()>& write)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

  SpoolerState& state_;
  // Null after SettleCompletions. Last: its thread calls the rest.
  std::unique_ptr<DeferredSync> completions_ ABSL_GUARDED_BY(state_.mu);
};

}  // namespace spoolgate::spooler
