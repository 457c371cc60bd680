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
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/spooler/spooler_state.h"

namespace spoolgate::spooler {

class JobRecords {
 public:
  explicit JobRecords(SpoolerState& state) : state_(state) {}

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
  // failed (the job is requeued).
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
  void ApplyJobLocked(v1::Job updated) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Runs `write` (a synced write of job `id`) with mu released.
  absl::Status WriteSettlingLocked(uint64_t id, const std::function<absl::Status()>& write)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

  SpoolerState& state_;
};

}  // namespace spoolgate::spooler
