#include "services/spooler/intake.h"

#include <sys/statvfs.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "services/spooler/job_state.h"

namespace spoolgate::spooler {

namespace {
// Duplicate windows: the default, and the longest kept (larger ones are cut).
constexpr absl::Duration kDefaultDuplicateWindow = absl::Minutes(10);
constexpr absl::Duration kMaxDuplicateWindow = absl::Hours(24);
}  // namespace

absl::Duration Intake::QuotaPeriod(const v1::Queue& queue) {
  if (queue.quota_jobs() == 0 && queue.quota_bytes() == 0) return absl::ZeroDuration();
  return absl::Seconds(queue.quota_period_seconds());
}

void Intake::IndexSubmissionLocked(const v1::Job& job) {
  if (job.submitted_unix_micros() == 0) return;  // never committed
  auto queue = state_.queues.find(job.queue());
  if (queue == state_.queues.end()) return;
  absl::Time submitted = absl::FromUnixMicros(job.submitted_unix_micros());
  absl::Time now = state_.options.clock();
  if (submitted >= now - QuotaPeriod(queue->second.queue)) {
    state_.recent[{job.queue(), job.user()}].push_back({submitted, job.total_bytes(), job.id()});
  }
  // A retry after a restart is still recognised.
  if (!job.idempotency_key().empty() &&
      submitted >= now - DuplicateWindow(queue->second.queue)) {
    state_.duplicates.Add(job.queue(), job.idempotency_key(), submitted, job.id());
  }
}

absl::Status Intake::RebuildQuotaIndexLocked(const v1::Queue& queue) {
  for (auto it = state_.recent.begin(); it != state_.recent.end();) {
    it = it->first.first == queue.name() ? state_.recent.erase(it) : std::next(it);
  }
  absl::Time since = state_.options.clock() - QuotaPeriod(queue);
  auto add = [&](const v1::Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
    absl::Time submitted = absl::FromUnixMicros(job.submitted_unix_micros());
    if (job.queue() == queue.name() && job.submitted_unix_micros() != 0 && submitted >= since) {
      state_.recent[{job.queue(), job.user()}].push_back({submitted, job.total_bytes(), job.id()});
    }
    return true;
  };
  state_.active.ForEachInQueue(queue.name(), std::nullopt, add);
  // An admin's change, rare: reading the period's history under the lock
  // is the price of a quota that counts what was sent before it was set.
  SPOOLGATE_RETURN_IF_ERROR(state_.store->ForEachFinishedJob(0, 0, Micros(since), add));
  for (auto& [key, recent] : state_.recent) {
    if (key.first != queue.name()) continue;
    std::sort(recent.begin(), recent.end(),
              [](const RecentJob& a, const RecentJob& b) { return a.at < b.at; });
  }
  return absl::OkStatus();
}

absl::Status Intake::LoadRecentHistoryLocked() {
  absl::Duration reach = LongestDuplicateWindowLocked();
  for (const auto& [_, q] : state_.queues) reach = std::max(reach, QuotaPeriod(q.queue));
  if (reach == absl::ZeroDuration()) return absl::OkStatus();
  // A job submitted within the reach finished within it too.
  int64_t since = Micros(state_.options.clock() - reach);
  return state_.store->ForEachFinishedJob(
      0, 0, since, [&](const v1::Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
    IndexSubmissionLocked(job);
    return true;
  });
}

absl::Duration Intake::DuplicateWindow(const v1::Queue& queue) {
  if (!queue.has_duplicate_window_seconds()) return kDefaultDuplicateWindow;
  return std::min(absl::Seconds(queue.duplicate_window_seconds()), kMaxDuplicateWindow);
}

absl::Duration Intake::LongestDuplicateWindowLocked() const {
  absl::Duration longest = absl::ZeroDuration();
  for (const auto& [_, q] : state_.queues) longest = std::max(longest, DuplicateWindow(q.queue));
  return longest;
}

uint64_t Intake::MaxJobBytes(const v1::Queue& queue) const {
  return queue.max_job_bytes() != 0 ? queue.max_job_bytes() : state_.options.default_max_job_bytes;
}

absl::Status Intake::CheckDiskSpace() const {
  if (state_.options.min_free_disk_bytes == 0) return absl::OkStatus();
  struct statvfs fs;
  if (statvfs(state_.options.data_dir.c_str(), &fs) != 0) {
    return absl::UnavailableError(absl::StrCat("statvfs ", state_.options.data_dir, " failed"));
  }
  uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes < state_.options.min_free_disk_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "spooler disk nearly full (", free_bytes >> 20, " MiB free), try again later"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Submission>> Intake::BeginJob(const v1::JobHeader& header) {
  auto refuse = [this](absl::Status status, const char* reason) {
    if (state_.metrics) state_.metrics->jobs_refused.Add({{"reason", reason}}).Increment();
    return status;
  };
  if (header.priority() < 0 || header.priority() > kMaxPriority) {
    return refuse(absl::InvalidArgumentError("priority must be 0..25"), "bad_request");
  }
  SPOOLGATE_RETURN_IF_ERROR(CheckDiskSpace());
  SPOOLGATE_ASSIGN_OR_RETURN(uint64_t id, state_.store->AllocateJobId());
  absl::Time now = state_.options.clock();
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
    absl::MutexLock lock(&state_.mu);
    if (state_.shutting_down) {
      return refuse(absl::UnavailableError("spooler is shutting down"), "unavailable");
    }
    auto it = state_.queues.find(header.queue());
    if (it == state_.queues.end()) {
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
      size_t waiting = it->second.receiving + state_.active.Count(queue.name(), v1::JOB_STATE_PENDING) +
                       state_.active.Count(queue.name(), v1::JOB_STATE_HELD);
      if (waiting >= queue.max_pending_jobs()) {
        return refuse(absl::ResourceExhaustedError(absl::StrCat(
                          "queue '", queue.name(), "' is full (", waiting, " jobs waiting)")),
                      "queue_full");
      }
    }
    if (!header.user().empty()) {
      if (auto s = CheckQuotaLocked(queue, header.user(), header.expected_bytes(), state_.options.clock());
          !s.ok()) {
        return refuse(s, "quota");
      }
    }
    ++it->second.receiving;
  }
  // Nothing is written before the commit: an inline job lives in memory,
  // and spool files that no commit names are removed at the next start.
  auto submission = std::make_unique<Submission>(
      this, std::move(job), max_bytes, state_.options.max_chunk_bytes,
      state_.options.inline_job_bytes, state_.options.document_checksum);
  submission->SetRequestId(header.request_id(), header.request_id_with_content());
  return submission;
}

void Intake::AbandonJob(const v1::Job& job, const std::vector<std::string>& spool_files,
                         const char* reason) {
  for (const auto& name : spool_files) {
    auto s = state_.spool_files.Remove(name);
    if (!s.ok()) Log("job %d: discard failed (the next start removes it): %s", job.id(), s.ToString());
  }
  Log("job %d: discarded before commit (queue %s, %s)", job.id(), job.queue(), reason);
  if (state_.metrics) state_.metrics->jobs_refused.Add({{"reason", reason}}).Increment();
  absl::MutexLock lock(&state_.mu);
  auto it = state_.queues.find(job.queue());
  if (it != state_.queues.end() && it->second.receiving > 0) --it->second.receiving;
}

absl::StatusOr<Intake::CommitResult> Intake::CommitJob(
    v1::Job job, uint64_t bytes, const std::vector<JobStore::InlineDocument>& documents) {
  absl::Time now = state_.options.clock();
  job.set_state(v1::JOB_STATE_PENDING);
  job.set_submitted_unix_micros(Micros(now));
  {
    // No shutdown check: transfers already in flight may finish.
    absl::MutexLock lock(&state_.mu);
    auto q = state_.queues.find(job.queue());
    if (q == state_.queues.end()) {
      return absl::NotFoundError(absl::StrCat("queue '", job.queue(), "' was deleted"));
    }
    // The user is final only now (an LPD control file may come last).
    if (auto s = CheckQuotaLocked(q->second.queue, job.user(), bytes, now); !s.ok()) {
      if (state_.metrics) state_.metrics->jobs_refused.Add({{"reason", "quota"}}).Increment();
      return s;
    }
    const std::string& key = job.idempotency_key();
    absl::Duration window = DuplicateWindow(q->second.queue);
    if (!key.empty() && window > absl::ZeroDuration()) {
      if (auto original = state_.duplicates.Find(job.queue(), key, now, window)) {
        Log("job %d is a retry of job %d (queue %s, user %s); acknowledged, not queued again",
            job.id(), *original, job.queue(), job.user());
        return CommitResult{0, *original};
      }
      state_.duplicates.Add(job.queue(), key, now, job.id());
    }
    // Reserved before the sync, so concurrent commits cannot both slip in.
    if (QuotaPeriod(q->second.queue) > absl::ZeroDuration()) {
      state_.recent[{job.queue(), job.user()}].push_back({now, bytes, job.id()});
    }
  }
  // Synced outside the lock so concurrent commits share one fsync.
  if (auto s = state_.store->CommitJob(job, documents); !s.ok()) {
    absl::MutexLock lock(&state_.mu);
    auto& recent = state_.recent[{job.queue(), job.user()}];
    recent.erase(std::remove_if(recent.begin(), recent.end(),
                                [&](const RecentJob& r) { return r.id == job.id(); }),
                 recent.end());
    state_.duplicates.Remove(job.queue(), job.idempotency_key(), job.id());
    return s;
  }
  absl::MutexLock lock(&state_.mu);
  auto it = state_.queues.find(job.queue());
  if (it != state_.queues.end() && it->second.receiving > 0) --it->second.receiving;
  uint32_t position = state_.active.Position(job);
  state_.active.Put(job);
  if (state_.metrics) {
    state_.metrics->jobs_received.Add({{"queue", job.queue()}}).Increment();
    state_.metrics->bytes_received.Add({{"queue", job.queue()}}).Increment(static_cast<double>(bytes));
    state_.metrics->commit_latency.Observe(
        absl::ToDoubleSeconds(now - absl::FromUnixMicros(job.created_unix_micros())));
  }
  Log("job %d committed: queue %s, user %s, host %s, %d document(s), %d bytes, via %s %s",
      job.id(), job.queue(), job.user(), job.host(), job.documents_size(), bytes,
      job.origin().protocol(), job.origin().peer());
  dispatcher_.ScheduleLocked();
  return CommitResult{position, 0};
}

absl::Status Intake::CheckQuotaLocked(const v1::Queue& queue, const std::string& user,
                                       uint64_t more_bytes, absl::Time now) {
  auto it = state_.recent.find({queue.name(), user});
  if (it == state_.recent.end()) return absl::OkStatus();
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

absl::StatusOr<v1::GetQuotaResponse> Intake::GetQuota(const std::string& user) {
  absl::MutexLock lock(&state_.mu);
  absl::Time now = state_.options.clock();
  v1::GetQuotaResponse response;
  for (const auto& [name, state] : state_.queues) {
    const v1::Queue& q = state.queue;
    if (q.quota_period_seconds() == 0) continue;
    auto* entry = response.add_queues();
    entry->set_queue(name);
    entry->set_period_seconds(q.quota_period_seconds());
    entry->set_limit_jobs(q.quota_jobs());
    entry->set_limit_bytes(q.quota_bytes());
    auto it = state_.recent.find({name, user});
    if (it == state_.recent.end()) continue;
    for (const auto& r : it->second) {
      if (r.at < now - absl::Seconds(q.quota_period_seconds())) continue;
      entry->set_jobs(entry->jobs() + 1);
      entry->set_bytes(entry->bytes() + r.bytes);
    }
  }
  return response;
}

}  // namespace spoolgate::spooler
