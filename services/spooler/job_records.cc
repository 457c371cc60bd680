#include "services/spooler/job_records.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "services/spooler/job_state.h"

namespace spoolgate::spooler {

void JobRecords::RemoveSpoolFiles(const v1::Job& job) const {
  for (const auto& doc : job.documents()) {
    if (doc.storage() != v1::DOCUMENT_STORAGE_SPOOL_FILE) continue;
    if (auto s = state_.spool_files.Remove(doc.spool_file()); !s.ok()) {
      Log("job %d: %s (the next start removes it)", job.id(), s.ToString());
    }
  }
}

const v1::Job* JobRecords::SettledJobLocked(uint64_t id) {
  auto settled = [this, id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) { return !state_.settling.contains(id); };
  state_.mu.Await(absl::Condition(&settled));
  return state_.active.Find(id);
}

absl::StatusOr<const v1::Job*> JobRecords::ActiveJobLocked(uint64_t id) {
  if (const v1::Job* job = SettledJobLocked(id)) return job;
  auto stored = state_.store->GetJob(id);
  if (stored.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " is ", JobStateName(stored->state())));
  }
  return absl::NotFoundError(absl::StrCat("no job ", id));
}

absl::Status JobRecords::UpdateJobLocked(v1::Job updated, bool sync) {
  const v1::Job* current = state_.active.Find(updated.id());
  bool final_state = IsFinalState(updated.state());
  if (!sync) {
    SPOOLGATE_RETURN_IF_ERROR(state_.store->PutJob(current, updated, false, /*delete_data=*/final_state));
    ApplyJobLocked(std::move(updated));
    return absl::OkStatus();
  }
  std::optional<v1::Job> previous;
  if (current != nullptr) previous = *current;
  SPOOLGATE_RETURN_IF_ERROR(WriteSettlingLocked(
      updated.id(), [&] {
        return state_.store->PutJob(previous ? &*previous : nullptr, updated, true, final_state);
      }));
  ApplyJobLocked(std::move(updated));
  return absl::OkStatus();
}

absl::Status JobRecords::WriteSettlingLocked(uint64_t id, const std::function<absl::Status()>& write) {
  // Without the lock, so that the write shares its fsync with concurrent
  // commits and updates (group commit) and nobody waits for it who need
  // not. Meanwhile the job keeps its old record in memory; whatever would
  // change it waits (SettledJobLocked) and the scheduler passes it over.
  state_.settling.insert(id);
  state_.mu.Unlock();
  absl::Status s = write();
  state_.mu.Lock();
  state_.settling.erase(id);
  return s;
}

void JobRecords::ApplyJobLocked(v1::Job updated) {
  if (IsFinalState(updated.state())) {
    RemoveSpoolFiles(updated);
    absl::Time at = absl::FromUnixMicros(updated.finished_unix_micros());
    // The record itself went to the database with the job (PutJob).
    if (state_.accounting_log) state_.accounting_log->Add(AccountingRecordFor(updated));
    if (state_.metrics) {
      state_.metrics->jobs_finished
          .Add({{"queue", updated.queue()},
                {"state", std::string(JobStateName(updated.state()))}})
          .Increment();
      if (updated.state() == v1::JOB_STATE_COMPLETED) {
        state_.metrics->JobLatency(updated.queue())
            .Observe(absl::ToDoubleSeconds(
                at - absl::FromUnixMicros(updated.submitted_unix_micros())));
      }
    }
    state_.active.Erase(updated.id());
  } else {
    state_.active.Put(std::move(updated));
  }
}

bool JobRecords::CompleteJobLocked(v1::Job updated) {
  uint64_t id = updated.id();
  v1::Job previous = *state_.active.Find(id);
  // Meanwhile the job stays PRINTING in memory.
  absl::Status s = WriteSettlingLocked(id, [&] {
    return state_.store->PutJob(&previous, updated, /*sync=*/true, /*delete_data=*/true);
  });
  if (!s.ok()) {
    // Still PRINTING with no lease: the job prints again (at least once).
    Log("job %d: completion not recorded: %s", id, s.ToString());
    RequeueLocked(id, absl::StrCat("completion not recorded: ", s.message()),
                  Retry{/*limited=*/false, /*backoff=*/true, ""});
    return false;
  }
  ApplyJobLocked(std::move(updated));
  Log("job %d %s", id, JobStateName(v1::JOB_STATE_COMPLETED));
  return true;
}

absl::StatusOr<v1::Job> JobRecords::FinishJobLocked(uint64_t id, v1::JobState state,
                                                 const std::string& error,
                                                 const char* attempt_outcome) {
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, ActiveJobLocked(id));
  SPOOLGATE_RETURN_IF_ERROR(CheckTransition(job->state(), state));
  v1::Job updated = *job;
  if (attempt_outcome != nullptr && updated.state() == v1::JOB_STATE_PRINTING) {
    EndAttemptLocked(updated, attempt_outcome, error);
  }
  updated.set_state(state);
  updated.set_finished_unix_micros(Micros(state_.options.clock()));
  if (!error.empty()) updated.set_last_error(error);
  // Synced: a job reported complete must never be printed again.
  SPOOLGATE_RETURN_IF_ERROR(UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d %s%s", id, JobStateName(state), error.empty() ? "" : absl::StrCat(": ", error));
  return updated;
}

void JobRecords::EndAttemptLocked(v1::Job& job, const std::string& outcome,
                                  const std::string& error) const {
  if (job.history_size() == 0) return;
  auto* attempt = job.mutable_history(job.history_size() - 1);
  if (attempt->finished_unix_micros() != 0) return;
  attempt->set_finished_unix_micros(Micros(state_.options.clock()));
  attempt->set_outcome(outcome);
  attempt->set_error(error);
}

void JobRecords::RequeueLocked(uint64_t id, const std::string& error, const Retry& retry) {
  const v1::Job* job = SettledJobLocked(id);
  if (job == nullptr || job->state() != v1::JOB_STATE_PRINTING) return;
  v1::Job updated = *job;
  EndAttemptLocked(updated, "retry", error);
  updated.set_last_error(error);
  updated.set_bytes_printed(0);
  updated.set_progress(0);
  v1::Queue queue;
  if (auto q = state_.queues.find(updated.queue()); q != state_.queues.end()) queue = q->second.queue;
  uint32_t limit = queue.retry_limit() != 0 ? queue.retry_limit() : state_.options.max_attempts;
  if (retry.limited && updated.attempts() >= limit) {
    updated.set_state(v1::JOB_STATE_FAILED);
    updated.set_finished_unix_micros(Micros(state_.options.clock()));
    updated.set_last_error(absl::StrCat(error, " (gave up after ", updated.attempts(),
                                        " attempts)"));
  } else {
    updated.set_state(v1::JOB_STATE_PENDING);
    absl::Duration backoff;
    if (!retry.backoff) {
      backoff = absl::ZeroDuration();
    } else if (queue.retry_interval_seconds() != 0) {
      backoff = absl::Seconds(queue.retry_interval_seconds());
    } else {
      double factor = std::pow(2.0, std::max<int>(0, static_cast<int>(updated.attempts()) - 1));
      backoff = std::min(state_.options.retry_backoff * factor, state_.options.max_backoff);
    }
    updated.set_not_before_unix_micros(Micros(state_.options.clock() + backoff));
    updated.set_retry_on_printer(retry.only_printer);
  }
  if (auto s = UpdateJobLocked(updated, /*sync=*/true); !s.ok()) {
    Log("job %d: requeue failed: %s", id, s.ToString());
    return;
  }
  Log("job %d %s after attempt %d: %s", id, JobStateName(updated.state()), updated.attempts(),
      error);
}

}  // namespace spoolgate::spooler
