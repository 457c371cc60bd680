#include "services/spooler/spooler.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <set>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "lib/model/printer_state.h"
#include "services/spooler/job_state.h"
#include "services/spooler/recovery.h"

namespace spoolgate::spooler {
namespace {
// Spool files are read, and sent to agents, in blocks of this size: within
// any gRPC receive limit whatever the intake chunk limit is.
constexpr size_t kDocumentReadBlockBytes = 1 << 20;

constexpr int kMaxPriority = 25;
// A page of a job listing: at most this many jobs, found among at most
// kListScanBudget looked at (a filter may match few of them).
constexpr size_t kMaxListPage = 1000;
constexpr size_t kListScanBudget = 10000;
// History records deleted per write, and writes per housekeeping run.
constexpr size_t kPurgeBatch = 10000;
constexpr int kPurgeBatchesPerRun = 10;
// Duplicate windows: the default, and the longest kept (larger ones are cut).
constexpr absl::Duration kDefaultDuplicateWindow = absl::Minutes(10);
constexpr absl::Duration kMaxDuplicateWindow = absl::Hours(24);

// What an agent reports, as a fraction that never leaves 0..1.
float ProgressFraction(uint64_t done, uint64_t total) {
  if (total == 0) return 0;
  return done >= total ? 1.0f : static_cast<float>(static_cast<double>(done) / static_cast<double>(total));
}

bool ValidQueueName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// "agent/printer": how people and the stopped-printer records name a printer.
std::string PrinterLabel(const AgentConnection& agent, const PrinterSlot& slot) {
  return absl::StrCat(agent.agent_id(), "/", slot.status.name());
}

// Print order for listings: printing first, then pending by priority and
// age, then held.
}  // namespace

absl::StatusOr<std::unique_ptr<Spooler>> Spooler::Open(SpoolerOptions options,
                                                       prometheus::Registry* registry) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data_dir is required");
  for (const auto& q : options.queues) {
    if (!ValidQueueName(q.name())) {
      return absl::InvalidArgumentError(absl::StrCat("bad queue name '", q.name(), "'"));
    }
  }
  auto ranges = net::ParseCidrList(options.admin_hosts);
  if (!ranges.ok()) return ranges.status();
  absl::Time open_start = absl::Now();
  JobStore::Options store_options;
  store_options.path = options.data_dir;
  SPOOLGATE_ASSIGN_OR_RETURN(auto store, JobStore::Open(store_options));
  absl::Duration store_open = absl::Now() - open_start;
  SPOOLGATE_ASSIGN_OR_RETURN(SpoolFiles spool_files,
                             SpoolFiles::Open(absl::StrCat(options.data_dir, "/spool")));
  SPOOLGATE_ASSIGN_OR_RETURN(RecoveryReport report, RecoverStore(*store, options.clock()));
  Log("recovered %s: purged %d receiving, requeued %d printing "
      "(store opened in %s, repaired in %s)",
      options.data_dir, report.purged_receiving, report.requeued_printing,
      absl::FormatDuration(store_open),
      absl::FormatDuration(absl::Now() - open_start - store_open));
  absl::Time load_start = absl::Now();
  std::unique_ptr<SpoolerMetrics> metrics;
  if (registry != nullptr) metrics = std::make_unique<SpoolerMetrics>(*registry);
  auto spooler = std::unique_ptr<Spooler>(new Spooler(
      std::move(options), std::move(store), std::move(spool_files), std::move(metrics)));
  spooler->admin_ranges_ = *std::move(ranges);
  if (!spooler->options_.accounting_log.empty()) {
    SPOOLGATE_ASSIGN_OR_RETURN(spooler->accounting_log_,
                               AccountingLog::Open(spooler->options_.accounting_log));
  }
  {
    absl::MutexLock lock(&spooler->mu_);
    SPOOLGATE_RETURN_IF_ERROR(spooler->LoadLocked(std::move(report.active)));
    // Files of jobs never committed, or of jobs whose end was written but
    // whose files were not yet unlinked, when the spooler stopped.
    absl::flat_hash_set<std::string> named;
    spooler->active_.ForEach([&](const v1::Job& job) {
      for (const auto& doc : job.documents()) {
        if (doc.storage() == v1::DOCUMENT_STORAGE_SPOOL_FILE) named.insert(doc.spool_file());
      }
    });
    SPOOLGATE_ASSIGN_OR_RETURN(int removed, spooler->spool_files_.RemoveAllExcept(named));
    if (removed > 0) Log("removed %d spool file(s) that no job names", removed);
    spooler->RefreshGaugesLocked();
    Log("%d unfinished job(s) loaded in %s", spooler->active_.size(),
        absl::FormatDuration(absl::Now() - load_start));
  }
  if (spooler->options_.housekeeping_period > absl::ZeroDuration()) {
    spooler->housekeeping_ = std::thread([s = spooler.get()] { s->HousekeepingLoop(); });
  }
  return spooler;
}

Spooler::Spooler(SpoolerOptions options, std::unique_ptr<JobStore> store, SpoolFiles spool_files,
                 std::unique_ptr<SpoolerMetrics> metrics)
    : options_(std::move(options)), store_(std::move(store)), spool_files_(std::move(spool_files)),
      metrics_(std::move(metrics)) {}

Spooler::~Spooler() {
  Shutdown();
  stop_housekeeping_.Notify();
  if (housekeeping_.joinable()) housekeeping_.join();
  FlushAccountingLog();
}

absl::Status Spooler::LoadLocked(std::vector<v1::Job> active) {
  SPOOLGATE_ASSIGN_OR_RETURN(stopped_printers_, store_->ListStoppedPrinters());
  SPOOLGATE_ASSIGN_OR_RETURN(auto stored_queues, store_->ListQueues());
  for (auto& q : stored_queues) queues_[q.name()].queue = q;
  for (const auto& q : options_.queues) {
    if (queues_.count(q.name())) continue;  // state set by spoolctl wins
    SPOOLGATE_RETURN_IF_ERROR(store_->PutQueue(q));
    queues_[q.name()].queue = q;
    Log("queue %s created (accepting=%s enabled=%s)", q.name(), q.accepting() ? "yes" : "no", q.enabled() ? "yes" : "no");
  }
  // Only jobs not yet final: history is read back just as far as the
  // quota and retry windows reach.
  for (v1::Job& job : active) {
    IndexSubmissionLocked(job);
    active_.Put(std::move(job));
  }
  active.clear();
  SPOOLGATE_RETURN_IF_ERROR(LoadRecentHistoryLocked());
  for (auto& [_, recent] : recent_) {
    std::sort(recent.begin(), recent.end(),
              [](const RecentJob& a, const RecentJob& b) { return a.at < b.at; });
  }
  return absl::OkStatus();
}

absl::Duration Spooler::QuotaPeriod(const v1::Queue& queue) {
  if (queue.quota_jobs() == 0 && queue.quota_bytes() == 0) return absl::ZeroDuration();
  return absl::Seconds(queue.quota_period_seconds());
}

void Spooler::IndexSubmissionLocked(const v1::Job& job) {
  if (job.submitted_unix_micros() == 0) return;  // never committed
  auto queue = queues_.find(job.queue());
  if (queue == queues_.end()) return;
  absl::Time submitted = absl::FromUnixMicros(job.submitted_unix_micros());
  absl::Time now = options_.clock();
  if (submitted >= now - QuotaPeriod(queue->second.queue)) {
    recent_[{job.queue(), job.user()}].push_back({submitted, job.total_bytes(), job.id()});
  }
  // A retry after a restart is still recognised.
  if (!job.idempotency_key().empty() &&
      submitted >= now - DuplicateWindow(queue->second.queue)) {
    duplicates_.Add(job.queue(), job.idempotency_key(), submitted, job.id());
  }
}

absl::Status Spooler::RebuildQuotaIndexLocked(const v1::Queue& queue) {
  for (auto it = recent_.begin(); it != recent_.end();) {
    it = it->first.first == queue.name() ? recent_.erase(it) : std::next(it);
  }
  absl::Time since = options_.clock() - QuotaPeriod(queue);
  auto add = [&](const v1::Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Time submitted = absl::FromUnixMicros(job.submitted_unix_micros());
    if (job.queue() == queue.name() && job.submitted_unix_micros() != 0 && submitted >= since) {
      recent_[{job.queue(), job.user()}].push_back({submitted, job.total_bytes(), job.id()});
    }
    return true;
  };
  active_.ForEachInQueue(queue.name(), std::nullopt, add);
  // An admin's change, rare: reading the period's history under the lock
  // is the price of a quota that counts what was sent before it was set.
  SPOOLGATE_RETURN_IF_ERROR(store_->ForEachFinishedJob(0, 0, Micros(since), add));
  for (auto& [key, recent] : recent_) {
    if (key.first != queue.name()) continue;
    std::sort(recent.begin(), recent.end(),
              [](const RecentJob& a, const RecentJob& b) { return a.at < b.at; });
  }
  return absl::OkStatus();
}

absl::Status Spooler::LoadRecentHistoryLocked() {
  absl::Duration reach = LongestDuplicateWindowLocked();
  for (const auto& [_, q] : queues_) reach = std::max(reach, QuotaPeriod(q.queue));
  if (reach == absl::ZeroDuration()) return absl::OkStatus();
  // A job submitted within the reach finished within it too.
  int64_t since = Micros(options_.clock() - reach);
  return store_->ForEachFinishedJob(0, 0, since, [&](const v1::Job& job) {
    IndexSubmissionLocked(job);
    return true;
  });
}

// ---------------------------------------------------------------- intake

absl::Duration Spooler::DuplicateWindow(const v1::Queue& queue) {
  if (!queue.has_duplicate_window_seconds()) return kDefaultDuplicateWindow;
  return std::min(absl::Seconds(queue.duplicate_window_seconds()), kMaxDuplicateWindow);
}

absl::Duration Spooler::LongestDuplicateWindowLocked() const {
  absl::Duration longest = absl::ZeroDuration();
  for (const auto& [_, q] : queues_) longest = std::max(longest, DuplicateWindow(q.queue));
  return longest;
}

uint64_t Spooler::MaxJobBytes(const v1::Queue& queue) const {
  return queue.max_job_bytes() != 0 ? queue.max_job_bytes() : options_.default_max_job_bytes;
}

absl::Status Spooler::CheckDiskSpace() const {
  if (options_.min_free_disk_bytes == 0) return absl::OkStatus();
  struct statvfs fs;
  if (statvfs(options_.data_dir.c_str(), &fs) != 0) {
    return absl::UnavailableError(absl::StrCat("statvfs ", options_.data_dir, " failed"));
  }
  uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes < options_.min_free_disk_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "spooler disk nearly full (", free_bytes >> 20, " MiB free), try again later"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Submission>> Spooler::BeginJob(const v1::JobHeader& header) {
  auto refuse = [this](absl::Status status, const char* reason) {
    if (metrics_) metrics_->jobs_refused.Add({{"reason", reason}}).Increment();
    return status;
  };
  if (header.priority() < 0 || header.priority() > kMaxPriority) {
    return refuse(absl::InvalidArgumentError("priority must be 0..25"), "bad_request");
  }
  SPOOLGATE_RETURN_IF_ERROR(CheckDiskSpace());
  SPOOLGATE_ASSIGN_OR_RETURN(uint64_t id, store_->AllocateJobId());
  absl::Time now = options_.clock();
  v1::Job job;
  job.set_id(id);
  job.set_queue(header.queue());
  job.set_state(v1::JOB_STATE_RECEIVING);
  job.set_priority(header.priority());
  job.set_user(header.user());
  job.set_host(header.host());
  job.set_title(header.title());
  *job.mutable_origin() = header.origin();
  *job.mutable_control() = header.control();
  job.set_created_unix_micros(Micros(now));
  uint64_t max_bytes = 0;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      return refuse(absl::UnavailableError("spooler is shutting down"), "unavailable");
    }
    auto it = queues_.find(header.queue());
    if (it == queues_.end()) {
      return refuse(absl::NotFoundError(absl::StrCat("no queue '", header.queue(), "'")),
                    "no_queue");
    }
    const v1::Queue& queue = it->second.queue;
    if (!queue.accepting()) {
      return refuse(absl::FailedPreconditionError(
                        absl::StrCat("queue '", queue.name(), "' is not accepting jobs")),
                    "not_accepting");
    }
    max_bytes = MaxJobBytes(queue);
    if (max_bytes != 0 && header.expected_bytes() > max_bytes) {
      return refuse(absl::ResourceExhaustedError(absl::StrCat(
                        "job of ", header.expected_bytes(), " bytes exceeds the limit of ",
                        max_bytes)),
                    "too_large");
    }
    if (queue.max_pending_jobs() != 0) {
      size_t waiting = it->second.receiving + active_.Count(queue.name(), v1::JOB_STATE_PENDING) +
                       active_.Count(queue.name(), v1::JOB_STATE_HELD);
      if (waiting >= queue.max_pending_jobs()) {
        return refuse(absl::ResourceExhaustedError(absl::StrCat(
                          "queue '", queue.name(), "' is full (", waiting, " jobs waiting)")),
                      "queue_full");
      }
    }
    if (!header.user().empty()) {
      if (auto s = CheckQuotaLocked(queue, header.user(), header.expected_bytes(), options_.clock());
          !s.ok()) {
        return refuse(s, "quota");
      }
    }
    ++it->second.receiving;
  }
  // Nothing is written before the commit: an inline job lives in memory,
  // and spool files that no commit names are removed at the next start.
  auto submission = std::unique_ptr<Submission>(
      new Submission(this, std::move(job), max_bytes, options_.max_chunk_bytes,
                     options_.inline_job_bytes));
  submission->SetRequestId(header.request_id(), header.request_id_with_content());
  return submission;
}

void Spooler::AbandonJob(const v1::Job& job, const std::vector<std::string>& spool_files,
                         const char* reason) {
  for (const auto& name : spool_files) {
    auto s = spool_files_.Remove(name);
    if (!s.ok()) Log("job %d: discard failed (the next start removes it): %s", job.id(), s.ToString());
  }
  Log("job %d: discarded before commit (queue %s, %s)", job.id(), job.queue(), reason);
  if (metrics_) metrics_->jobs_refused.Add({{"reason", reason}}).Increment();
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(job.queue());
  if (it != queues_.end() && it->second.receiving > 0) --it->second.receiving;
}

void Spooler::RemoveSpoolFiles(const v1::Job& job) const {
  for (const auto& doc : job.documents()) {
    if (doc.storage() != v1::DOCUMENT_STORAGE_SPOOL_FILE) continue;
    if (auto s = spool_files_.Remove(doc.spool_file()); !s.ok()) {
      Log("job %d: %s (the next start removes it)", job.id(), s.ToString());
    }
  }
}

absl::StatusOr<Spooler::CommitResult> Spooler::CommitJob(
    v1::Job job, uint64_t bytes, const std::vector<JobStore::InlineDocument>& documents) {
  absl::Time now = options_.clock();
  job.set_state(v1::JOB_STATE_PENDING);
  job.set_submitted_unix_micros(Micros(now));
  {
    // No shutdown check: transfers already in flight may finish.
    absl::MutexLock lock(&mu_);
    auto q = queues_.find(job.queue());
    if (q == queues_.end()) {
      return absl::NotFoundError(absl::StrCat("queue '", job.queue(), "' was deleted"));
    }
    // The user is final only now (an LPD control file may come last).
    if (auto s = CheckQuotaLocked(q->second.queue, job.user(), bytes, now); !s.ok()) {
      if (metrics_) metrics_->jobs_refused.Add({{"reason", "quota"}}).Increment();
      return s;
    }
    const std::string& key = job.idempotency_key();
    absl::Duration window = DuplicateWindow(q->second.queue);
    if (!key.empty() && window > absl::ZeroDuration()) {
      if (auto original = duplicates_.Find(job.queue(), key, now, window)) {
        Log("job %d is a retry of job %d (queue %s, user %s); acknowledged, not queued again",
            job.id(), *original, job.queue(), job.user());
        return CommitResult{0, *original};
      }
      duplicates_.Add(job.queue(), key, now, job.id());
    }
    // Reserved before the sync, so concurrent commits cannot both slip in.
    if (QuotaPeriod(q->second.queue) > absl::ZeroDuration()) {
      recent_[{job.queue(), job.user()}].push_back({now, bytes, job.id()});
    }
  }
  // Synced outside the lock so concurrent commits share one fsync.
  if (auto s = store_->CommitJob(job, documents); !s.ok()) {
    absl::MutexLock lock(&mu_);
    auto& recent = recent_[{job.queue(), job.user()}];
    recent.erase(std::remove_if(recent.begin(), recent.end(),
                                [&](const RecentJob& r) { return r.id == job.id(); }),
                 recent.end());
    duplicates_.Remove(job.queue(), job.idempotency_key(), job.id());
    return s;
  }
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(job.queue());
  if (it != queues_.end() && it->second.receiving > 0) --it->second.receiving;
  uint32_t position = active_.Position(job);
  active_.Put(job);
  if (metrics_) {
    metrics_->jobs_received.Add({{"queue", job.queue()}}).Increment();
    metrics_->bytes_received.Add({{"queue", job.queue()}}).Increment(static_cast<double>(bytes));
    metrics_->commit_latency.Observe(
        absl::ToDoubleSeconds(now - absl::FromUnixMicros(job.created_unix_micros())));
  }
  Log("job %d committed: queue %s, user %s, host %s, %d document(s), %d bytes, via %s %s",
      job.id(), job.queue(), job.user(), job.host(), job.documents_size(), bytes,
      job.origin().protocol(), job.origin().peer());
  ScheduleLocked();
  return CommitResult{position, 0};
}

// ---------------------------------------------------------------- jobs

const v1::Job* Spooler::SettledJobLocked(uint64_t id) {
  auto settled = [this, id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !settling_.contains(id); };
  mu_.Await(absl::Condition(&settled));
  return active_.Find(id);
}

absl::StatusOr<const v1::Job*> Spooler::ActiveJobLocked(uint64_t id) {
  if (const v1::Job* job = SettledJobLocked(id)) return job;
  auto stored = store_->GetJob(id);
  if (stored.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " is ", JobStateName(stored->state())));
  }
  return absl::NotFoundError(absl::StrCat("no job ", id));
}

absl::Status Spooler::UpdateJobLocked(v1::Job updated, bool sync) {
  const v1::Job* current = active_.Find(updated.id());
  bool final_state = IsFinalState(updated.state());
  if (!sync) {
    SPOOLGATE_RETURN_IF_ERROR(store_->PutJob(current, updated, false, /*delete_data=*/final_state));
    ApplyJobLocked(std::move(updated));
    return absl::OkStatus();
  }
  std::optional<v1::Job> previous;
  if (current != nullptr) previous = *current;
  SPOOLGATE_RETURN_IF_ERROR(WriteSettlingLocked(
      updated.id(), [&] {
        return store_->PutJob(previous ? &*previous : nullptr, updated, true, final_state);
      }));
  ApplyJobLocked(std::move(updated));
  return absl::OkStatus();
}

absl::Status Spooler::WriteSettlingLocked(uint64_t id, const std::function<absl::Status()>& write) {
  // Without the lock, so that the write shares its fsync with concurrent
  // commits and updates (group commit) and nobody waits for it who need
  // not. Meanwhile the job keeps its old record in memory; whatever would
  // change it waits (SettledJobLocked) and the scheduler passes it over.
  settling_.insert(id);
  mu_.Unlock();
  absl::Status s = write();
  mu_.Lock();
  settling_.erase(id);
  return s;
}

void Spooler::ApplyJobLocked(v1::Job updated) {
  if (IsFinalState(updated.state())) {
    RemoveSpoolFiles(updated);
    absl::Time at = absl::FromUnixMicros(updated.finished_unix_micros());
    // The record itself went to the database with the job (PutJob).
    if (accounting_log_) accounting_log_->Add(AccountingRecordFor(updated));
    if (metrics_) {
      metrics_->jobs_finished
          .Add({{"queue", updated.queue()},
                {"state", std::string(JobStateName(updated.state()))}})
          .Increment();
      if (updated.state() == v1::JOB_STATE_COMPLETED) {
        metrics_->JobLatency(updated.queue())
            .Observe(absl::ToDoubleSeconds(
                at - absl::FromUnixMicros(updated.submitted_unix_micros())));
      }
    }
    active_.Erase(updated.id());
  } else {
    active_.Put(std::move(updated));
  }
}

bool Spooler::CompleteJobLocked(v1::Job updated) {
  uint64_t id = updated.id();
  v1::Job previous = *active_.Find(id);
  // Meanwhile the job stays PRINTING in memory.
  absl::Status s = WriteSettlingLocked(id, [&] {
    return store_->PutJob(&previous, updated, /*sync=*/true, /*delete_data=*/true);
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

absl::StatusOr<v1::Job> Spooler::FinishJobLocked(uint64_t id, v1::JobState state,
                                                 const std::string& error,
                                                 const char* attempt_outcome) {
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, ActiveJobLocked(id));
  SPOOLGATE_RETURN_IF_ERROR(CheckTransition(job->state(), state));
  v1::Job updated = *job;
  if (attempt_outcome != nullptr && updated.state() == v1::JOB_STATE_PRINTING) {
    EndAttemptLocked(updated, attempt_outcome, error);
  }
  updated.set_state(state);
  updated.set_finished_unix_micros(Micros(options_.clock()));
  if (!error.empty()) updated.set_last_error(error);
  // Synced: a job reported complete must never be printed again.
  SPOOLGATE_RETURN_IF_ERROR(UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d %s%s", id, JobStateName(state), error.empty() ? "" : absl::StrCat(": ", error));
  return updated;
}

void Spooler::EndAttemptLocked(v1::Job& job, const std::string& outcome,
                               const std::string& error) {
  if (job.history_size() == 0) return;
  auto* attempt = job.mutable_history(job.history_size() - 1);
  if (attempt->finished_unix_micros() != 0) return;
  attempt->set_finished_unix_micros(Micros(options_.clock()));
  attempt->set_outcome(outcome);
  attempt->set_error(error);
}

void Spooler::RequeueLocked(uint64_t id, const std::string& error, const Retry& retry) {
  const v1::Job* job = SettledJobLocked(id);
  if (job == nullptr || job->state() != v1::JOB_STATE_PRINTING) return;
  v1::Job updated = *job;
  EndAttemptLocked(updated, "retry", error);
  updated.set_last_error(error);
  updated.set_bytes_printed(0);
  updated.set_progress(0);
  v1::Queue queue;
  if (auto q = queues_.find(updated.queue()); q != queues_.end()) queue = q->second.queue;
  uint32_t limit = queue.retry_limit() != 0 ? queue.retry_limit() : options_.max_attempts;
  if (retry.limited && updated.attempts() >= limit) {
    updated.set_state(v1::JOB_STATE_FAILED);
    updated.set_finished_unix_micros(Micros(options_.clock()));
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
      backoff = std::min(options_.retry_backoff * factor, options_.max_backoff);
    }
    updated.set_not_before_unix_micros(Micros(options_.clock() + backoff));
    updated.set_retry_on_printer(retry.only_printer);
  }
  if (auto s = UpdateJobLocked(updated, /*sync=*/true); !s.ok()) {
    Log("job %d: requeue failed: %s", id, s.ToString());
    return;
  }
  Log("job %d %s after attempt %d: %s", id, JobStateName(updated.state()), updated.attempts(),
      error);
}

namespace {
bool ListedJobWanted(const v1::ListJobsRequest& request, const v1::Job& job) {
  if (!request.queue().empty() && job.queue() != request.queue()) return false;
  if (!request.user().empty() && job.user() != request.user()) return false;
  if (IsFinalState(job.state()) &&
      job.finished_unix_micros() < request.finished_after_unix_micros()) {
    return false;
  }
  if (request.states_size() > 0) {
    return std::find(request.states().begin(), request.states().end(), job.state()) !=
           request.states().end();
  }
  return !IsFinalState(job.state()) || request.include_finished();
}
}  // namespace

absl::StatusOr<v1::ListJobsResponse> Spooler::ListJobs(const v1::ListJobsRequest& request) {
  size_t page = request.page_size() == 0 ? kMaxListPage
                                         : std::min<size_t>(request.page_size(), kMaxListPage);
  if (request.limit() != 0) page = std::min<size_t>(page, request.limit());
  ListCursor cursor;
  if (!request.page_token().empty()) {
    SPOOLGATE_ASSIGN_OR_RETURN(cursor, DecodeListCursor(request.page_token()));
  }
  bool active_wanted = request.states_size() == 0;
  bool finished_wanted = request.include_finished();
  for (int state : request.states()) {
    (IsFinalState(static_cast<v1::JobState>(state)) ? finished_wanted : active_wanted) = true;
  }
  v1::ListJobsResponse response;
  bool done = true;
  if (!cursor.in_history && active_wanted) {
    absl::MutexLock lock(&mu_);
    done = ListActiveLocked(request, page, cursor, response);
  }
  if (done && finished_wanted) {
    if (!cursor.in_history) cursor = ListCursor{.in_history = true};
    if (static_cast<size_t>(response.jobs_size()) < page) {
      SPOOLGATE_ASSIGN_OR_RETURN(done, ListFinished(request, page, cursor, response));
    } else {
      done = false;
    }
  }
  if (!done && request.limit() == 0) response.set_next_page_token(EncodeListCursor(cursor));
  return response;
}

bool Spooler::ListActiveLocked(const v1::ListJobsRequest& request, size_t page,
                               ListCursor& cursor, v1::ListJobsResponse& response) {
  size_t budget = kListScanBudget;
  auto q = !request.queue().empty() ? queues_.find(request.queue())
                                    : queues_.lower_bound(cursor.queue);
  for (; q != queues_.end(); ++q) {
    std::optional<QueuePlace> after;
    if (q->first == cursor.queue) after = cursor.place;
    bool stopped = false;
    active_.ForEachInQueue(q->first, after, [&](const v1::Job& job) {
      if (static_cast<size_t>(response.jobs_size()) >= page || budget == 0) {
        stopped = true;
        return false;
      }
      --budget;
      cursor.queue = q->first;
      cursor.place = *PlaceOf(job);
      if (!ListedJobWanted(request, job)) return true;
      v1::Job* listed = response.add_jobs();
      *listed = job;
      AgentConnection* agent = nullptr;
      if (PrinterSlot* slot = SlotForJobLocked(job.id(), &agent)) {
        listed->set_bytes_printed(slot->bytes_written);
        listed->set_progress(slot->progress);
      }
      return true;
    });
    if (stopped) return false;
    if (!request.queue().empty()) break;
  }
  return true;
}

absl::StatusOr<bool> Spooler::ListFinished(const v1::ListJobsRequest& request, size_t page,
                                           ListCursor& cursor, v1::ListJobsResponse& response) {
  size_t budget = kListScanBudget;
  bool stopped = false;
  SPOOLGATE_RETURN_IF_ERROR(store_->ForEachFinishedJob(
      cursor.finished_unix_micros, cursor.id, request.finished_after_unix_micros(),
      [&](const v1::Job& job) {
        if (static_cast<size_t>(response.jobs_size()) >= page || budget == 0) {
          stopped = true;
          return false;
        }
        --budget;
        cursor.finished_unix_micros = job.finished_unix_micros();
        cursor.id = job.id();
        if (ListedJobWanted(request, job)) *response.add_jobs() = job;
        return true;
      }));
  return !stopped;
}

absl::StatusOr<v1::Job> Spooler::GetJob(uint64_t id) {
  {
    absl::MutexLock lock(&mu_);
    if (const v1::Job* active = active_.Find(id)) {
      v1::Job job = *active;
      AgentConnection* agent = nullptr;
      if (PrinterSlot* slot = SlotForJobLocked(id, &agent)) {
        job.set_bytes_printed(slot->bytes_written);
        job.set_progress(slot->progress);
      }
      return job;
    }
  }
  return store_->GetJob(id);
}

absl::StatusOr<v1::Job> Spooler::CancelJob(uint64_t id, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  SPOOLGATE_ASSIGN_OR_RETURN(v1::Job cancelled,
                             FinishJobLocked(id, v1::JOB_STATE_CANCELLED,
                                             reason.empty() ? "cancelled" : reason, "cancelled"));
  // Found after the synced write, which ran without mu_.
  AgentConnection* agent = nullptr;
  PrinterSlot* slot = SlotForJobLocked(id, &agent);
  if (slot != nullptr) {
    // A job sent ahead was not started: the agent drops it. The current
    // job's slot stays busy until the agent confirms it stopped writing.
    if (slot->next_job == id) slot->next_job = 0;
    v1::SpoolerMessage message;
    message.mutable_cancel()->set_job_id(id);
    message.mutable_cancel()->set_reason(reason.empty() ? "cancelled" : reason);
    agent->Send(std::move(message));
  }
  return cancelled;
}

absl::StatusOr<v1::Job> Spooler::HoldJob(uint64_t id) {
  absl::MutexLock lock(&mu_);
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, ActiveJobLocked(id));
  if (job->state() != v1::JOB_STATE_PENDING) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " is ", JobStateName(job->state()), ", only pending jobs can be held"));
  }
  UnreserveLocked(id, "held");
  v1::Job updated = *job;
  updated.set_state(v1::JOB_STATE_HELD);
  SPOOLGATE_RETURN_IF_ERROR(UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d held", id);
  return updated;
}

absl::StatusOr<v1::Job> Spooler::ReleaseJob(uint64_t id) {
  absl::MutexLock lock(&mu_);
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, ActiveJobLocked(id));
  if (job->state() != v1::JOB_STATE_HELD) {
    return absl::FailedPreconditionError(absl::StrCat("job ", id, " is not held"));
  }
  v1::Job updated = *job;
  updated.set_state(v1::JOB_STATE_PENDING);
  updated.set_not_before_unix_micros(0);
  SPOOLGATE_RETURN_IF_ERROR(UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d released", id);
  ScheduleLocked();
  return updated;
}

absl::StatusOr<v1::Job> Spooler::MoveJob(uint64_t id, const std::string& queue) {
  absl::MutexLock lock(&mu_);
  if (!queues_.count(queue)) return absl::NotFoundError(absl::StrCat("no queue '", queue, "'"));
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, ActiveJobLocked(id));
  if (job->state() == v1::JOB_STATE_PRINTING) {
    return absl::FailedPreconditionError(absl::StrCat("job ", id, " is printing"));
  }
  UnreserveLocked(id, "moved to another queue");
  v1::Job updated = *job;
  updated.set_queue(queue);
  SPOOLGATE_RETURN_IF_ERROR(UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d moved to %s", id, queue);
  ScheduleLocked();
  return updated;
}

absl::StatusOr<v1::Job> Spooler::SetJobPriority(uint64_t id, int priority) {
  if (priority < 0 || priority > kMaxPriority) {
    return absl::InvalidArgumentError("priority must be 0..25");
  }
  absl::MutexLock lock(&mu_);
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, ActiveJobLocked(id));
  if (job->state() == v1::JOB_STATE_PRINTING) {
    return absl::FailedPreconditionError(absl::StrCat("job ", id, " is printing"));
  }
  v1::Job updated = *job;
  updated.set_priority(priority);
  SPOOLGATE_RETURN_IF_ERROR(UpdateJobLocked(updated, /*sync=*/true));
  ScheduleLocked();
  return updated;
}

absl::StatusOr<v1::RemoveJobsResponse> Spooler::RemoveJobs(const v1::RemoveJobsRequest& request) {
  bool admin = request.requester_user() == "root" &&
               net::AddressInRanges(request.requester_address(), admin_ranges_);
  // "From the job's own host": the host name the client claimed, or the IP
  // address the job arrived from (names on the wire are never resolved).
  auto same_host = [&](const v1::Job& job) {
    if (job.host() == request.requester_host()) return true;
    return !request.requester_address().empty() &&
           net::HostOfPeer(job.origin().peer()) == net::HostOfPeer(request.requester_address());
  };
  auto permitted = [&](const v1::Job& job) {
    return admin || (job.user() == request.requester_user() && same_host(job));
  };
  std::vector<v1::Job> candidates;
  {
    absl::MutexLock lock(&mu_);
    if (!queues_.count(request.queue())) {
      return absl::NotFoundError(absl::StrCat("no queue '", request.queue(), "'"));
    }
    // In print order; without a list only the first permitted job matters.
    bool first_only = request.job_ids_size() == 0 && request.users_size() == 0 && !request.all();
    active_.ForEachInQueue(request.queue(), std::nullopt, [&](const v1::Job& job) {
      candidates.push_back(job);
      return !(first_only && permitted(job));
    });
  }
  bool by_list = request.job_ids_size() > 0 || request.users_size() > 0;
  std::vector<uint64_t> targets;
  v1::RemoveJobsResponse response;
  for (const auto& job : candidates) {
    bool named = false;
    if (by_list) {
      named = std::find(request.job_ids().begin(), request.job_ids().end(), job.id()) !=
                  request.job_ids().end() ||
              std::find(request.users().begin(), request.users().end(), job.user()) !=
                  request.users().end();
    } else {
      // "-" (all): every job for an admin, the requester's own for others.
      named = permitted(job);
    }
    if (!named) continue;
    if (!permitted(job)) {
      response.add_not_permitted(job.id());
      continue;
    }
    targets.push_back(job.id());
    // RFC 1179 5.5 without a list: the requester's first job only.
    if (!by_list && !request.all()) break;
  }
  for (uint64_t id : targets) {
    std::string reason = absl::StrCat("removed by ", request.requester_user(), "@",
                                      request.requester_host());
    if (CancelJob(id, reason).ok()) response.add_removed(id);
  }
  return response;
}

// ---------------------------------------------------------------- queues

std::vector<v1::ListQueuesResponse::Entry> Spooler::ListQueues() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::ListQueuesResponse::Entry> out;
  for (const auto& [name, state] : queues_) {
    v1::ListQueuesResponse::Entry entry;
    *entry.mutable_queue() = state.queue;
    entry.set_printing_jobs(static_cast<uint32_t>(active_.Count(name, v1::JOB_STATE_PRINTING)));
    entry.set_pending_jobs(static_cast<uint32_t>(active_.Count(name, v1::JOB_STATE_PENDING) +
                                                 active_.Count(name, v1::JOB_STATE_HELD)));
    for (const auto& agent : agents_) {
      for (const auto& slot : agent->printers) {
        if (slot.status.queue() == name) entry.set_printers(entry.printers() + 1);
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

absl::StatusOr<v1::Queue> Spooler::CreateQueue(const v1::Queue& queue) {
  if (!ValidQueueName(queue.name())) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad queue name '", queue.name(), "': use [A-Za-z0-9_.-]{1,64}"));
  }
  absl::MutexLock lock(&mu_);
  if (queues_.count(queue.name())) {
    return absl::AlreadyExistsError(absl::StrCat("queue '", queue.name(), "' exists"));
  }
  queues_[queue.name()].queue = queue;
  SPOOLGATE_RETURN_IF_ERROR(PersistQueueLocked(queue.name()));
  Log("queue %s created", queue.name());
  return queue;
}

absl::Status Spooler::DeleteQueue(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(name);
  if (it == queues_.end()) return absl::NotFoundError(absl::StrCat("no queue '", name, "'"));
  size_t unfinished = it->second.receiving + active_.CountInQueue(name);
  if (unfinished > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("queue '", name, "' still has ", unfinished, " unfinished job(s)"));
  }
  queues_.erase(it);  // from now on nothing is accepted for it
  SPOOLGATE_RETURN_IF_ERROR(PersistQueueLocked(name));
  Log("queue %s deleted", name);
  return absl::OkStatus();
}

absl::StatusOr<v1::Queue> Spooler::UpdateQueue(const v1::UpdateQueueRequest& request) {
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(request.name());
  if (it == queues_.end()) {
    return absl::NotFoundError(absl::StrCat("no queue '", request.name(), "'"));
  }
  v1::Queue queue = it->second.queue;
  if (request.has_accepting()) queue.set_accepting(request.accepting());
  if (request.has_enabled()) queue.set_enabled(request.enabled());
  if (request.has_max_job_bytes()) queue.set_max_job_bytes(request.max_job_bytes());
  if (request.has_max_pending_jobs()) queue.set_max_pending_jobs(request.max_pending_jobs());
  if (request.has_description()) queue.set_description(request.description());
  if (request.has_banners()) queue.set_banners(request.banners());
  if (request.has_error_policy()) {
    if (!v1::ErrorPolicy_IsValid(request.error_policy())) {
      return absl::InvalidArgumentError("unknown error policy");
    }
    queue.set_error_policy(request.error_policy());
  }
  if (request.has_retry_limit()) queue.set_retry_limit(request.retry_limit());
  if (request.has_retry_interval_seconds()) {
    queue.set_retry_interval_seconds(request.retry_interval_seconds());
  }
  if (request.has_quota_period_seconds()) queue.set_quota_period_seconds(request.quota_period_seconds());
  if (request.has_quota_jobs()) queue.set_quota_jobs(request.quota_jobs());
  if (request.has_quota_bytes()) queue.set_quota_bytes(request.quota_bytes());
  if (request.has_duplicate_window_seconds()) {
    queue.set_duplicate_window_seconds(request.duplicate_window_seconds());
  }
  bool quota_reaches_further = QuotaPeriod(queue) > QuotaPeriod(it->second.queue);
  it->second.queue = queue;
  SPOOLGATE_RETURN_IF_ERROR(PersistQueueLocked(queue.name()));
  if (quota_reaches_further) {
    if (auto s = RebuildQuotaIndexLocked(queue); !s.ok()) {
      Log("queue %s: quota counts only jobs from now on: %s", queue.name(), s.ToString());
    }
  }
  Log("queue %s updated: accepting=%s enabled=%s max_job_bytes=%d max_pending_jobs=%d",
      queue.name(), queue.accepting() ? "yes" : "no", queue.enabled() ? "yes" : "no",
      queue.max_job_bytes(),
      queue.max_pending_jobs());
  ScheduleLocked();
  return queue;
}

// ---------------------------------------------------------------- dispatch

absl::StatusOr<std::shared_ptr<AgentConnection>> Spooler::AttachAgent(
    const v1::AgentHello& hello, const std::string& peer) {
  if (hello.agent_id().empty()) return absl::InvalidArgumentError("hello without agent_id");
  auto agent = std::make_shared<AgentConnection>(hello.agent_id(), peer, options_.clock());
  for (const auto& printer : hello.printers()) {
    if (printer.name().empty()) return absl::InvalidArgumentError("printer without a name");
    PrinterSlot slot;
    slot.status = printer;
    agent->printers.push_back(std::move(slot));
  }
  absl::MutexLock lock(&mu_);
  if (shutting_down_) return absl::UnavailableError("spooler is shutting down");
  agents_.push_back(agent);
  Log("agent %s attached from %s with %d printer(s)", hello.agent_id(), peer,
      hello.printers_size());
  ScheduleLocked();
  return agent;
}

PrinterSlot* Spooler::SlotForJobLocked(uint64_t job_id, AgentConnection** agent_out) {
  for (const auto& agent : agents_) {
    for (auto& slot : agent->printers) {
      if (slot.Holds(job_id)) {
        *agent_out = agent.get();
        return &slot;
      }
    }
  }
  return nullptr;
}

absl::Status Spooler::HandleAgentMessage(AgentConnection& agent, const v1::AgentMessage& message) {
  absl::MutexLock lock(&mu_);
  absl::Time now = options_.clock();
  // The slot holding a job's lease, if this agent holds it.
  auto lease_of = [&](uint64_t job_id) -> PrinterSlot* {
    for (auto& slot : agent.printers) {
      if (slot.Holds(job_id)) return &slot;
    }
    return nullptr;
  };
  switch (message.kind_case()) {
    case v1::AgentMessage::kPrinterStatus: {
      const std::string& name = message.printer_status().name();
      if (name.empty()) return absl::InvalidArgumentError("printer status without a name");
      if (std::none_of(agent.printers.begin(), agent.printers.end(),
                       [&](const PrinterSlot& s) { return s.status.name() == name; })) {
        PrinterSlot slot;
        slot.status = message.printer_status();
        agent.printers.push_back(std::move(slot));
        Log("printer %s/%s added (queue %s)", agent.agent_id(), name, message.printer_status().queue());
      }
      for (auto& slot : agent.printers) {
        if (slot.status.name() == message.printer_status().name()) {
          bool changed = slot.status.state() != message.printer_status().state();
          slot.status = message.printer_status();
          if (changed) {
            Log("printer %s/%s is %s", agent.agent_id(), slot.status.name(),
                DescribePrinter(slot.status));
          }
        }
      }
      ScheduleLocked();
      return absl::OkStatus();
    }
    case v1::AgentMessage::kProgress: {
      PrinterSlot* slot = lease_of(message.progress().job_id());
      if (slot != nullptr && slot->current_job == message.progress().job_id()) {
        slot->bytes_written = message.progress().bytes_written();
        slot->progress = ProgressFraction(message.progress().document_bytes(),
                                          message.progress().document_bytes_total());
        slot->lease_deadline = now + options_.lease;
      }
      return absl::OkStatus();
    }
    case v1::AgentMessage::kCompleted: {
      uint64_t id = message.completed().job_id();
      PrinterSlot* slot = lease_of(id);
      if (slot == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat("job ", id, " is not leased to this agent"));
      }
      slot->Release(id, now + options_.lease);
      PromoteLocked(agent, *slot);  // the job sent ahead starts printing
      const v1::Job* job = SettledJobLocked(id);
      if (job != nullptr && job->state() == v1::JOB_STATE_PRINTING) {
        v1::Job updated = *job;
        EndAttemptLocked(updated, "completed", "");
        updated.set_bytes_printed(message.completed().bytes_written());
        updated.set_progress(1);
        updated.set_pages(message.completed().pages());
        updated.set_state(v1::JOB_STATE_COMPLETED);
        updated.set_finished_unix_micros(Micros(options_.clock()));
        ScheduleLocked();  // a job to send ahead first, then the record
        CompleteJobLocked(std::move(updated));
      }
      ScheduleLocked();
      return absl::OkStatus();
    }
    case v1::AgentMessage::kFailed: {
      const auto& failed = message.failed();
      PrinterSlot* slot = lease_of(failed.job_id());
      if (slot == nullptr) {
        return absl::FailedPreconditionError(
            absl::StrCat("job ", failed.job_id(), " is not leased to this agent"));
      }
      slot->Release(failed.job_id(), now + options_.lease);
      const v1::Job* job = SettledJobLocked(failed.job_id());
      if (job != nullptr && job->state() == v1::JOB_STATE_PRINTING) {
        switch (failed.disposition()) {
          case v1::FAILURE_DISPOSITION_HOLD: {
            v1::Job updated = *job;
            EndAttemptLocked(updated, "held", failed.error());
            updated.set_state(v1::JOB_STATE_HELD);
            updated.set_last_error(failed.error());
            if (auto s = UpdateJobLocked(updated, true); !s.ok()) return s;
            Log("job %d held after failure: %s", failed.job_id(), failed.error());
            break;
          }
          case v1::FAILURE_DISPOSITION_FAIL:
            (void)FinishJobLocked(failed.job_id(), v1::JOB_STATE_FAILED, failed.error(), "failed");
            break;
          case v1::FAILURE_DISPOSITION_CANCEL:
            (void)FinishJobLocked(failed.job_id(), v1::JOB_STATE_CANCELLED, failed.error(),
                                  "cancelled");
            break;
          default:
            ApplyErrorPolicyLocked(failed.job_id(),
                                   PrinterLabel(agent, *slot),
                                   failed.error());
        }
      }
      // A printer that is now stopped or in error must not print the job
      // sent ahead: it stays in its queue, and the agent drops it.
      if (slot->current_job != 0 &&
          PrinterUnavailable(EffectiveStatusLocked(agent, *slot).state())) {
        ReturnLeaseLocked(agent, *slot, slot->current_job, "printer unavailable");
      }
      PromoteLocked(agent, *slot);
      ScheduleLocked();
      return absl::OkStatus();
    }
    case v1::AgentMessage::kWarning: {
      const v1::Job* job = SettledJobLocked(message.warning().job_id());
      if (job != nullptr && lease_of(message.warning().job_id()) != nullptr) {
        v1::Job updated = *job;
        updated.add_warnings(message.warning().warning());
        return UpdateJobLocked(updated, /*sync=*/false);
      }
      return absl::OkStatus();
    }
    case v1::AgentMessage::kPrinterRemoved: {
      const std::string& name = message.printer_removed().name();
      auto it = std::find_if(agent.printers.begin(), agent.printers.end(),
                             [&](const PrinterSlot& slot) { return slot.status.name() == name; });
      if (it != agent.printers.end()) {
        // Out of the list first: nothing is scheduled to it while its job
        // goes back (RequeueLocked releases mu_).
        PrinterSlot removed = std::move(*it);
        agent.printers.erase(it);
        std::string why = absl::StrCat("printer ", agent.agent_id(), "/", name, " was removed");
        if (removed.next_job != 0) ReturnLeaseLocked(agent, removed, removed.next_job, why);
        if (removed.current_job != 0) {
          RequeueLocked(removed.current_job, why, Retry{/*limited=*/false, /*backoff=*/false, ""});
        }
        Log("printer %s/%s removed", agent.agent_id(), name);
      }
      ScheduleLocked();
      return absl::OkStatus();
    }
    case v1::AgentMessage::kHello:
      return absl::InvalidArgumentError("hello sent twice");
    default:
      return absl::InvalidArgumentError("empty agent message");
  }
}

void Spooler::AttachInlineDocuments(const v1::Job& job, v1::AssignJob* assign) const {
  for (const auto& doc : job.documents()) {
    if (doc.storage() != v1::DOCUMENT_STORAGE_INLINE) continue;
    std::string& bytes = (*assign->mutable_documents())[doc.index()];
    auto s = store_->ReadDocument(job.id(), doc.index(), 0, [&](uint64_t, absl::string_view data) {
      bytes.append(data.data(), data.size());
      return true;
    });
    if (!s.ok() || bytes.size() != doc.size_bytes()) {
      // The agent reads it with ReadDocument, which reports the problem.
      assign->mutable_documents()->erase(doc.index());
    }
  }
}

void Spooler::ReturnLeaseLocked(AgentConnection& agent, PrinterSlot& slot, uint64_t id,
                                const std::string& reason) {
  // A job sent ahead is still PENDING in its queue: only the reservation
  // ends, and the agent is told to drop it.
  slot.Release(id, absl::InfinitePast());
  v1::SpoolerMessage message;
  message.mutable_cancel()->set_job_id(id);
  message.mutable_cancel()->set_reason(reason);
  agent.Send(std::move(message));
  Log("job %d no longer sent ahead: %s", id, reason);
}

void Spooler::PromoteLocked(AgentConnection& agent, PrinterSlot& slot) {
  uint64_t id = slot.current_job;
  if (id == 0) return;
  const v1::Job* job = SettledJobLocked(id);
  if (job == nullptr || job->state() == v1::JOB_STATE_PRINTING) return;
  if (job->state() != v1::JOB_STATE_PENDING) {
    // Changed while it waited; its reservation should have ended with that.
    ReturnLeaseLocked(agent, slot, id, "no longer pending");
    return;
  }
  if (!StartLeaseLocked(agent, slot, id, options_.clock()).ok()) {
    ReturnLeaseLocked(agent, slot, id, "cannot lease");
  }
}

void Spooler::UnreserveLocked(uint64_t id, const std::string& reason) {
  AgentConnection* agent = nullptr;
  PrinterSlot* slot = SlotForJobLocked(id, &agent);
  if (slot != nullptr && slot->next_job == id) ReturnLeaseLocked(*agent, *slot, id, reason);
}

bool Spooler::ReservedLocked(uint64_t id) {
  AgentConnection* agent = nullptr;
  PrinterSlot* slot = SlotForJobLocked(id, &agent);
  return slot != nullptr && slot->next_job == id;
}

absl::StatusOr<v1::Job> Spooler::StartLeaseLocked(AgentConnection& agent, PrinterSlot& slot,
                                                  uint64_t id, absl::Time now) {
  const v1::Job* job = active_.Find(id);
  if (job == nullptr) return absl::NotFoundError(absl::StrCat("no job ", id));
  v1::Job updated = *job;
  updated.set_state(v1::JOB_STATE_PRINTING);
  updated.set_attempts(updated.attempts() + 1);
  updated.set_printer(PrinterLabel(agent, slot));
  updated.set_started_unix_micros(Micros(now));
  updated.set_bytes_printed(0);
  updated.set_progress(0);
  updated.clear_retry_on_printer();
  auto* attempt = updated.add_history();
  attempt->set_printer(updated.printer());
  attempt->set_started_unix_micros(Micros(now));
  // Unsynced: if the lease is lost in a crash, the job is simply PENDING.
  if (auto s = UpdateJobLocked(updated, /*sync=*/false); !s.ok()) {
    Log("job %d: cannot lease: %s", id, s.ToString());
    return s;
  }
  slot.current_job = id;
  slot.bytes_written = 0;
  slot.progress = 0;
  slot.lease_deadline = now + options_.lease;
  Log("job %d printing on %s (attempt %d)", id, updated.printer(), updated.attempts());
  return updated;
}

void Spooler::DetachAgent(AgentConnection& agent) {
  absl::MutexLock lock(&mu_);
  // Out of the list first: nothing is scheduled to it while its jobs go
  // back (RequeueLocked releases mu_).
  agents_.erase(std::remove_if(agents_.begin(), agents_.end(),
                               [&](const auto& a) { return a.get() == &agent; }),
                agents_.end());
  std::string why = absl::StrCat("agent ", agent.agent_id(), " lost");
  std::vector<uint64_t> printing;
  for (auto& slot : agent.printers) {
    if (slot.current_job != 0) printing.push_back(slot.current_job);
    if (slot.next_job != 0) ReturnLeaseLocked(agent, slot, slot.next_job, why);
    slot.current_job = slot.next_job = 0;
  }
  for (uint64_t id : printing) RequeueLocked(id, why);
  agent.Close();
  Log("agent %s detached", agent.agent_id());
  ScheduleLocked();
}

void Spooler::ScheduleLocked() {
  if (shutting_down_) return;
  // Idle printers first; then each busy printer gets the job it will print
  // next, so that it never waits for the spooler between two jobs.
  AssignJobsLocked(/*ahead=*/false);
  AssignJobsLocked(/*ahead=*/true);
}

void Spooler::AssignJobsLocked(bool ahead) {
  struct Candidate {
    AgentConnection* agent;
    PrinterSlot* slot;
  };
  // A job sent ahead is bound to its printer; where a queue has several
  // printers, another one may fall idle first, so only a queue's sole
  // printer gets one.
  absl::flat_hash_map<std::string, int> printers_of_queue;
  if (ahead) {
    for (const auto& agent : agents_) {
      for (const auto& slot : agent->printers) ++printers_of_queue[slot.status.queue()];
    }
  }
  std::vector<Candidate> candidates;
  for (const auto& agent : agents_) {
    for (auto& slot : agent->printers) {
      auto q = queues_.find(slot.status.queue());
      if (q == queues_.end() || !q->second.queue.enabled()) continue;
      if (ahead && printers_of_queue[slot.status.queue()] > 1) continue;
      bool free = ahead ? slot.current_job != 0 && slot.next_job == 0 : slot.current_job == 0;
      if (!free || PrinterUnavailable(EffectiveStatusLocked(*agent, slot).state())) continue;
      candidates.push_back({agent.get(), &slot});
    }
  }
  if (candidates.empty()) return;
  // Least recently used printer first, so printers of one queue share work.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.slot->last_assignment < b.slot->last_assignment;
  });
  // Jobs sent ahead already, and those handed out in this pass.
  absl::flat_hash_set<uint64_t> taken;
  for (const auto& agent : agents_) {
    for (const auto& slot : agent->printers) {
      if (slot.next_job != 0) taken.insert(slot.next_job);
    }
  }
  absl::Time now = options_.clock();
  active_.WakeDue(now);
  for (Candidate& c : candidates) {
    uint64_t id = active_.NextToPrint(c.slot->status.queue(), PrinterLabel(*c.agent, *c.slot),
                                      [&](uint64_t job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                                        return taken.contains(job) || settling_.contains(job);
                                      });
    if (id == 0) continue;
    taken.insert(id);
    v1::Job job;
    if (ahead) {
      // Stays PENDING (and first in its queue) until the printer starts it.
      job = *active_.Find(id);
      c.slot->next_job = id;
    } else {
      auto leased = StartLeaseLocked(*c.agent, *c.slot, id, now);
      if (!leased.ok()) continue;
      job = *std::move(leased);
    }
    c.slot->last_assignment = ++assignments_;
    v1::SpoolerMessage message;
    message.mutable_assign()->set_printer(c.slot->status.name());
    *message.mutable_assign()->mutable_job() = job;
    message.mutable_assign()->set_banners(queues_[job.queue()].queue.banners());
    AttachInlineDocuments(job, message.mutable_assign());
    c.agent->Send(std::move(message));
    if (ahead) Log("job %d sent ahead to %s", job.id(), PrinterLabel(*c.agent, *c.slot));
  }
}

absl::Status Spooler::ReadDocument(uint64_t job_id, uint32_t document, uint64_t offset,
                                   const std::function<bool(uint64_t, absl::string_view)>& fn) {
  v1::Document doc;
  {
    absl::MutexLock lock(&mu_);
    SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, ActiveJobLocked(job_id));
    // A job sent ahead may be read as soon as its printer starts it, maybe
    // before the news of the previous job's end has arrived here.
    bool sent_ahead = job->state() == v1::JOB_STATE_PENDING && ReservedLocked(job_id);
    if (job->state() != v1::JOB_STATE_PRINTING && !sent_ahead) {
      return absl::FailedPreconditionError(
          absl::StrCat("job ", job_id, " is ", JobStateName(job->state()), ", not printing"));
    }
    if (document >= static_cast<uint32_t>(job->documents_size())) {
      return absl::NotFoundError(absl::StrCat("job ", job_id, " has no document ", document));
    }
    doc = job->documents(static_cast<int>(document));
  }
  // Both reads stay consistent if the job is cancelled meanwhile: an open
  // file outlives its unlink, and the iterator reads a snapshot.
  if (doc.storage() == v1::DOCUMENT_STORAGE_SPOOL_FILE) {
    return spool_files_.Read(doc.spool_file(), offset, kDocumentReadBlockBytes, fn);
  }
  return store_->ReadDocument(job_id, document, offset, fn);
}

// ---------------------------------------------------------------- housekeeping

void Spooler::Housekeep() {
  HousekeepUnderLock();
  PurgeHistory();
}

void Spooler::PurgeHistory() {
  absl::Time before = options_.clock() - options_.history;
  // Batches keep each write small; a day of history ending at once (a
  // shortened --history_seconds) goes over a few periods.
  for (int batch = 0; batch < kPurgeBatchesPerRun; ++batch) {
    auto purged = store_->PurgeHistory(before, kPurgeBatch);
    if (!purged.ok()) {
      Log("history purge: %s", purged.status().ToString());
      return;
    }
    if (*purged < kPurgeBatch) return;
  }
}

void Spooler::HousekeepUnderLock() {
  absl::MutexLock lock(&mu_);
  absl::Time now = options_.clock();
  duplicates_.Purge(now - LongestDuplicateWindowLocked());
  if (now - last_accounting_purge_ > absl::Hours(1)) {
    last_accounting_purge_ = now;
    if (auto s = store_->PurgeAccounting(now - options_.accounting_retention); !s.ok()) {
      Log("accounting purge: %s", s.ToString());
    }
  }
  struct Expired {
    std::shared_ptr<AgentConnection> agent;
    uint64_t id;
    std::string printer;
  };
  std::vector<Expired> expired;  // requeued after the loop: that releases mu_
  for (const auto& agent : agents_) {
    for (auto& slot : agent->printers) {
      if (slot.current_job == 0 || slot.lease_deadline > now) continue;
      expired.push_back({agent, slot.current_job, PrinterLabel(*agent, slot)});
      slot.current_job = 0;
      // An agent that stopped reporting will not start the next job either.
      if (slot.next_job != 0) ReturnLeaseLocked(*agent, slot, slot.next_job, "lease expired");
    }
  }
  for (const auto& e : expired) {
    const v1::Job* job = SettledJobLocked(e.id);
    if (job == nullptr || job->state() != v1::JOB_STATE_PRINTING) continue;
    RequeueLocked(e.id, absl::StrCat("lease expired on ", e.printer));
    v1::SpoolerMessage message;
    message.mutable_cancel()->set_job_id(e.id);
    message.mutable_cancel()->set_reason("lease expired");
    e.agent->Send(std::move(message));
  }
  ScheduleLocked();  // backoff periods may have ended
  RefreshGaugesLocked();
}

void Spooler::RefreshGaugesLocked() {
  if (!metrics_) return;
  std::map<std::pair<std::string, v1::JobState>, int> counts;
  for (const auto& [name, _] : queues_) {
    counts[{name, v1::JOB_STATE_RECEIVING}] = static_cast<int>(queues_[name].receiving);
  }
  for (const auto& [name, _] : queues_) {
    for (auto s : {v1::JOB_STATE_PENDING, v1::JOB_STATE_HELD, v1::JOB_STATE_PRINTING}) {
      counts[{name, s}] = static_cast<int>(active_.Count(name, s));
    }
  }
  // Every queue's counters exist from the start, at 0, so that rates and
  // alerts see "nothing happened" instead of "no data".
  for (const auto& [name, _] : queues_) {
    for (auto s : {v1::JOB_STATE_COMPLETED, v1::JOB_STATE_FAILED, v1::JOB_STATE_CANCELLED}) {
      metrics_->jobs_finished.Add({{"queue", name}, {"state", std::string(JobStateName(s))}});
    }
    metrics_->jobs_received.Add({{"queue", name}});
    metrics_->bytes_received.Add({{"queue", name}});
    metrics_->JobLatency(name);
  }
  for (const auto& [key, n] : counts) {
    metrics_->jobs.Add({{"queue", key.first}, {"state", std::string(JobStateName(key.second))}})
        .Set(n);
  }
  for (const auto& [family, bytes] : store_->ApproximateSizes()) {
    metrics_->store_bytes.Add({{"family", family}}).Set(static_cast<double>(bytes));
  }
  metrics_->agents.Set(static_cast<double>(agents_.size()));
  struct statvfs fs;
  if (statvfs(options_.data_dir.c_str(), &fs) == 0) {
    metrics_->disk_free_bytes.Set(static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
  }
  std::map<std::pair<std::string, std::string>, int> printers;
  for (const auto& [name, _] : queues_) {
    for (auto s : AllPrinterStates()) printers[{name, v1::PrinterState_Name(s)}] = 0;
  }
  for (const auto& agent : agents_) {
    for (const auto& slot : agent->printers) {
      ++printers[{slot.status.queue(), v1::PrinterState_Name(EffectiveStatusLocked(*agent, slot).state())}];
    }
  }
  for (const auto& [key, n] : printers) {
    metrics_->printers.Add({{"queue", key.first}, {"state", key.second}}).Set(n);
  }
  // spoolgate_printer_state: a series per attached printer and state; a
  // printer that is gone loses its series.
  std::set<std::string> attached;
  for (const auto& agent : agents_) {
    for (const auto& slot : agent->printers) {
      std::string label = PrinterLabel(*agent, slot);
      attached.insert(label);
      for (auto s : AllPrinterStates()) {
        metrics_->printer_state.Add({{"printer", label}, {"state", PrinterStateLabel(s)}})
            .Set(s == EffectiveStatusLocked(*agent, slot).state() ? 1 : 0);
      }
    }
  }
  for (const auto& label : exported_printers_) {
    if (attached.count(label)) continue;
    for (auto s : AllPrinterStates()) {
      auto& gauge = metrics_->printer_state.Add({{"printer", label}, {"state", PrinterStateLabel(s)}});
      metrics_->printer_state.Remove(&gauge);
    }
  }
  exported_printers_ = std::move(attached);
}

void Spooler::HousekeepingLoop() {
  while (!stop_housekeeping_.WaitForNotificationWithTimeout(options_.housekeeping_period)) {
    Housekeep();
    FlushAccountingLog();  // outside mu_: one write and one sync for the lines of a period
  }
}

v1::PrinterStatus Spooler::EffectiveStatusLocked(const AgentConnection& agent,
                                                 const PrinterSlot& slot) {
  auto it = stopped_printers_.find(PrinterLabel(agent, slot));
  if (it == stopped_printers_.end()) return slot.status;
  v1::PrinterStatus status = slot.status;
  status.set_state(v1::PRINTER_STATE_STOPPED);
  status.set_state_reason(it->second.state_reason());
  status.set_state_since_unix_micros(it->second.state_since_unix_micros());
  return status;
}

absl::StatusOr<std::string> Spooler::ResolvePrinterLocked(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("give a printer name");
  if (absl::StrContains(name, "/")) return name;
  std::vector<std::string> matches;
  for (const auto& agent : agents_) {
    for (const auto& slot : agent->printers) {
      if (slot.status.name() == name) matches.push_back(PrinterLabel(*agent, slot));
    }
  }
  if (matches.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("several agents have a printer ", name, "; say AGENT/", name));
  }
  if (matches.empty()) return absl::NotFoundError(absl::StrCat("no printer ", name, " is attached"));
  return matches[0];
}

// Queue and printer settings change in memory first, then are written
// without mu_: writers take turns (config_store_mu_) and each writes what
// memory holds when its turn comes, so however their writes interleave the
// store ends with the latest value.
absl::Status Spooler::PersistQueueLocked(const std::string& name) {
  mu_.Unlock();
  absl::Status s;
  {
    absl::MutexLock turn(&config_store_mu_);
    std::optional<v1::Queue> latest;
    {
      absl::MutexLock lock(&mu_);
      if (auto it = queues_.find(name); it != queues_.end()) latest = it->second.queue;
    }
    s = latest ? store_->PutQueue(*latest) : store_->DeleteQueue(name);
  }
  mu_.Lock();
  return s;
}

absl::Status Spooler::PersistPrinterLocked(const std::string& label) {
  mu_.Unlock();
  absl::Status s;
  {
    absl::MutexLock turn(&config_store_mu_);
    std::optional<v1::PrinterStatus> latest;
    {
      absl::MutexLock lock(&mu_);
      if (auto it = stopped_printers_.find(label); it != stopped_printers_.end()) latest = it->second;
    }
    s = latest ? store_->PutStoppedPrinter(label, *latest) : store_->DeleteStoppedPrinter(label);
  }
  mu_.Lock();
  return s;
}

absl::Status Spooler::StopPrinterLocked(const std::string& label, const std::string& reason) {
  v1::PrinterStatus status;
  status.set_state(v1::PRINTER_STATE_STOPPED);
  status.set_state_reason(reason);
  status.set_state_since_unix_micros(Micros(options_.clock()));
  stopped_printers_[label] = status;  // in force at once, recorded next
  Log("printer %s stopped: %s", label, reason);
  return PersistPrinterLocked(label);
}

absl::StatusOr<v1::PrinterResponse> Spooler::StopPrinter(const std::string& name,
                                                         const std::string& reason) {
  absl::MutexLock lock(&mu_);
  SPOOLGATE_ASSIGN_OR_RETURN(std::string label, ResolvePrinterLocked(name));
  SPOOLGATE_RETURN_IF_ERROR(
      StopPrinterLocked(label, reason.empty() ? "stopped by an administrator" : reason));
  v1::PrinterResponse response;
  response.set_name(label);
  if (auto it = stopped_printers_.find(label); it != stopped_printers_.end()) {
    *response.mutable_status() = it->second;
  }
  return response;
}

absl::StatusOr<v1::PrinterResponse> Spooler::StartPrinter(const std::string& name) {
  absl::MutexLock lock(&mu_);
  SPOOLGATE_ASSIGN_OR_RETURN(std::string label, ResolvePrinterLocked(name));
  v1::PrinterResponse response;
  response.set_name(label);
  if (stopped_printers_.erase(label) > 0) {
    Log("printer %s started", label);
    SPOOLGATE_RETURN_IF_ERROR(PersistPrinterLocked(label));
  }
  for (const auto& agent : agents_) {
    for (const auto& slot : agent->printers) {
      if (PrinterLabel(*agent, slot) == label) {
        *response.mutable_status() = slot.status;
      }
    }
  }
  ScheduleLocked();
  return response;
}

void Spooler::ApplyErrorPolicyLocked(uint64_t id, const std::string& label,
                                     const std::string& error) {
  const v1::Job* job = SettledJobLocked(id);
  if (job == nullptr || job->state() != v1::JOB_STATE_PRINTING) return;
  v1::ErrorPolicy policy = v1::ERROR_POLICY_RETRY_JOB;
  if (auto q = queues_.find(job->queue()); q != queues_.end()) {
    policy = q->second.queue.error_policy();
  }
  switch (policy) {
    case v1::ERROR_POLICY_ABORT_JOB:
      (void)FinishJobLocked(id, v1::JOB_STATE_FAILED,
                            absl::StrCat(error, " (error policy abort-job)"), "failed");
      return;
    case v1::ERROR_POLICY_RETRY_CURRENT_JOB:
      RequeueLocked(id, error, Retry{/*limited=*/false, /*backoff=*/false, label});
      return;
    case v1::ERROR_POLICY_STOP_PRINTER:
      if (auto s = StopPrinterLocked(label, absl::StrCat("stopped by error policy: ", error));
          !s.ok()) {
        Log("printer %s: cannot stop: %s", label, s.ToString());
      }
      // Back to the head of its queue (its priority and id keep it there),
      // without a wait and without counting towards a limit.
      RequeueLocked(id, error, Retry{/*limited=*/false, /*backoff=*/false, ""});
      return;
    default:
      RequeueLocked(id, error);
  }
}

void Spooler::FlushAccountingLog() {
  if (!accounting_log_) return;
  if (auto s = accounting_log_->Flush(); !s.ok()) Log("%s", s.ToString());
}

absl::StatusOr<std::vector<v1::AccountingRecord>> Spooler::ListAccounting(
    const v1::ListAccountingRequest& request) {
  absl::Time until = request.until_unix_micros() != 0
                         ? absl::FromUnixMicros(request.until_unix_micros())
                         : absl::InfiniteFuture();
  if (until == absl::InfiniteFuture()) until = options_.clock() + absl::Hours(1);
  return store_->ListAccounting(absl::FromUnixMicros(request.since_unix_micros()), until,
                                request.limit());
}

absl::Status Spooler::ReopenAccountingLog() {
  if (!accounting_log_) return absl::OkStatus();
  SPOOLGATE_RETURN_IF_ERROR(accounting_log_->Reopen());
  Log("accounting log %s reopened", options_.accounting_log);
  return absl::OkStatus();
}

absl::Status Spooler::CheckQuotaLocked(const v1::Queue& queue, const std::string& user,
                                       uint64_t more_bytes, absl::Time now) {
  auto it = recent_.find({queue.name(), user});
  if (it == recent_.end()) return absl::OkStatus();
  absl::Duration period = QuotaPeriod(queue);
  auto& recent = it->second;
  while (!recent.empty() && recent.front().at < now - period) recent.pop_front();
  if (period == absl::ZeroDuration()) return absl::OkStatus();
  uint32_t jobs = 0;
  uint64_t bytes = 0;
  for (const auto& r : recent) {
    if (r.at < now - period) continue;
    ++jobs;
    bytes += r.bytes;
  }
  std::string window = absl::FormatDuration(period);
  if (queue.quota_jobs() != 0 && jobs >= queue.quota_jobs()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "quota: ", user, " has sent ", jobs, " jobs to ", queue.name(), " in the last ", window,
        " (limit ", queue.quota_jobs(), ")"));
  }
  if (queue.quota_bytes() != 0 && bytes + more_bytes > queue.quota_bytes()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "quota: ", user, " has sent ", bytes, " bytes to ", queue.name(), " in the last ", window,
        more_bytes ? absl::StrCat(" and this job has ", more_bytes) : "", " (limit ",
        queue.quota_bytes(), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::GetQuotaResponse> Spooler::GetQuota(const std::string& user) {
  absl::MutexLock lock(&mu_);
  absl::Time now = options_.clock();
  v1::GetQuotaResponse response;
  for (const auto& [name, state] : queues_) {
    const v1::Queue& q = state.queue;
    if (q.quota_period_seconds() == 0) continue;
    auto* entry = response.add_queues();
    entry->set_queue(name);
    entry->set_period_seconds(q.quota_period_seconds());
    entry->set_limit_jobs(q.quota_jobs());
    entry->set_limit_bytes(q.quota_bytes());
    auto it = recent_.find({name, user});
    if (it == recent_.end()) continue;
    for (const auto& r : it->second) {
      if (r.at < now - absl::Seconds(q.quota_period_seconds())) continue;
      entry->set_jobs(entry->jobs() + 1);
      entry->set_bytes(entry->bytes() + r.bytes);
    }
  }
  return response;
}

std::vector<v1::ListPrintersResponse::Entry> Spooler::ListPrinters() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::ListPrintersResponse::Entry> out;
  for (const auto& agent : agents_) {
    for (const auto& slot : agent->printers) {
      v1::ListPrintersResponse::Entry entry;
      entry.set_agent_id(agent->agent_id());
      entry.set_peer(agent->peer());
      *entry.mutable_status() = EffectiveStatusLocked(*agent, slot);
      entry.set_current_job(slot.current_job);
      entry.set_current_job_bytes_written(slot.bytes_written);
      entry.set_connected_unix_micros(Micros(agent->connected()));
      out.push_back(std::move(entry));
    }
  }
  return out;
}

void Spooler::Shutdown() {
  std::vector<std::shared_ptr<AgentConnection>> agents;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    agents = agents_;
  }
  for (auto& agent : agents) agent->Close();
}

}  // namespace spoolgate::spooler
