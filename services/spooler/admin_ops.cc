#include "services/spooler/admin_ops.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "lib/model/printer_state.h"
#include "services/spooler/job_state.h"

namespace spoolgate::spooler {

namespace {
// A page of a job listing: at most this many jobs, found among at most
// kListScanBudget looked at (a filter may match few of them).
constexpr size_t kMaxListPage = 1000;
constexpr size_t kListScanBudget = 10000;

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

absl::StatusOr<v1::ListJobsResponse> AdminOps::ListJobs(const v1::ListJobsRequest& request) {
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
    absl::MutexLock lock(&state_.mu);
    done = ListActiveLocked(request, page, cursor, response);
  }
  if (done && finished_wanted) {
    if (!cursor.in_history) {
      cursor = ListCursor();
      cursor.in_history = true;
    }
    if (static_cast<size_t>(response.jobs_size()) < page) {
      SPOOLGATE_ASSIGN_OR_RETURN(done, ListFinished(request, page, cursor, response));
    } else {
      done = false;
    }
  }
  if (!done && request.limit() == 0) response.set_next_page_token(EncodeListCursor(cursor));
  return response;
}

bool AdminOps::ListActiveLocked(const v1::ListJobsRequest& request, size_t page,
                               ListCursor& cursor, v1::ListJobsResponse& response) {
  size_t budget = kListScanBudget;
  auto q = !request.queue().empty() ? state_.queues.find(request.queue())
                                    : state_.queues.lower_bound(cursor.queue);
  for (; q != state_.queues.end(); ++q) {
    std::optional<QueuePlace> after;
    if (q->first == cursor.queue) after = cursor.place;
    bool stopped = false;
    state_.active.ForEachInQueue(q->first, after, [&](const v1::Job& job)
                                                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
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
      if (PrinterSlot* slot = dispatcher_.SlotForJobLocked(job.id(), &agent)) {
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

absl::StatusOr<bool> AdminOps::ListFinished(const v1::ListJobsRequest& request, size_t page,
                                           ListCursor& cursor, v1::ListJobsResponse& response) {
  absl::flat_hash_set<uint64_t> listed;
  for (const v1::Job& job : response.jobs()) listed.insert(job.id());
  size_t budget = kListScanBudget;
  bool stopped = false;
  SPOOLGATE_RETURN_IF_ERROR(state_.store->ForEachFinishedJob(
      cursor.finished_unix_micros, cursor.id, request.finished_after_unix_micros(),
      [&](const v1::Job& job) {
        if (static_cast<size_t>(response.jobs_size()) >= page || budget == 0) {
          stopped = true;
          return false;
        }
        --budget;
        cursor.finished_unix_micros = job.finished_unix_micros();
        cursor.id = job.id();
        if (ListedJobWanted(request, job) && !listed.contains(job.id())) *response.add_jobs() = job;
        return true;
      }));
  return !stopped;
}

absl::StatusOr<v1::Job> AdminOps::GetJob(uint64_t id) {
  {
    absl::MutexLock lock(&state_.mu);
    if (const v1::Job* active = state_.active.Find(id)) {
      v1::Job job = *active;
      AgentConnection* agent = nullptr;
      if (PrinterSlot* slot = dispatcher_.SlotForJobLocked(id, &agent)) {
        job.set_bytes_printed(slot->bytes_written);
        job.set_progress(slot->progress);
      }
      return job;
    }
  }
  return state_.store->GetJob(id);
}

absl::StatusOr<v1::Job> AdminOps::CancelJob(uint64_t id, const std::string& reason) {
  absl::MutexLock lock(&state_.mu);
  SPOOLGATE_ASSIGN_OR_RETURN(v1::Job cancelled,
                             records_.FinishJobLocked(id, v1::JOB_STATE_CANCELLED,
                                             reason.empty() ? "cancelled" : reason, "cancelled"));
  // Found after the synced write, which ran without the mutex.
  const std::string why = reason.empty() ? "cancelled" : reason;
  AgentConnection* agent = nullptr;
  PrinterSlot* slot = dispatcher_.SlotForJobLocked(id, &agent);
  if (slot != nullptr && slot->next_job == id) {
    // A job sent ahead was not started: the agent drops it.
    dispatcher_.UnreserveLocked(id, why);
  } else if (slot != nullptr) {
    // The slot stays busy until the agent confirms it stopped writing.
    agent->SendCancel(id, slot->current_lease, why);
  }
  return cancelled;
}

absl::StatusOr<v1::Job> AdminOps::HoldJob(uint64_t id) {
  absl::MutexLock lock(&state_.mu);
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, records_.ActiveJobLocked(id));
  if (job->state() != v1::JOB_STATE_PENDING) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " is ", JobStateName(job->state()), ", only pending jobs can be held"));
  }
  dispatcher_.UnreserveLocked(id, "held");
  v1::Job updated = *job;
  updated.set_state(v1::JOB_STATE_HELD);
  SPOOLGATE_RETURN_IF_ERROR(records_.UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d held", id);
  return updated;
}

absl::StatusOr<v1::Job> AdminOps::ReleaseJob(uint64_t id) {
  absl::MutexLock lock(&state_.mu);
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, records_.ActiveJobLocked(id));
  if (job->state() != v1::JOB_STATE_HELD) {
    return absl::FailedPreconditionError(absl::StrCat("job ", id, " is not held"));
  }
  v1::Job updated = *job;
  updated.set_state(v1::JOB_STATE_PENDING);
  updated.set_not_before_unix_micros(0);
  SPOOLGATE_RETURN_IF_ERROR(records_.UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d released", id);
  dispatcher_.ScheduleLocked();
  return updated;
}

absl::StatusOr<v1::Job> AdminOps::MoveJob(uint64_t id, const std::string& queue) {
  absl::MutexLock lock(&state_.mu);
  if (!state_.queues.count(queue)) return absl::NotFoundError(absl::StrCat("no queue '", queue, "'"));
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, records_.ActiveJobLocked(id));
  if (job->state() == v1::JOB_STATE_PRINTING) {
    return absl::FailedPreconditionError(absl::StrCat("job ", id, " is printing"));
  }
  dispatcher_.UnreserveLocked(id, "moved to another queue");
  v1::Job updated = *job;
  updated.set_queue(queue);
  SPOOLGATE_RETURN_IF_ERROR(records_.UpdateJobLocked(updated, /*sync=*/true));
  Log("job %d moved to %s", id, queue);
  dispatcher_.ScheduleLocked();
  return updated;
}

absl::StatusOr<v1::Job> AdminOps::SetJobPriority(uint64_t id, int priority) {
  if (priority < 0 || priority > kMaxPriority) {
    return absl::InvalidArgumentError("priority must be 0..25");
  }
  absl::MutexLock lock(&state_.mu);
  SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, records_.ActiveJobLocked(id));
  if (job->state() == v1::JOB_STATE_PRINTING) {
    return absl::FailedPreconditionError(absl::StrCat("job ", id, " is printing"));
  }
  v1::Job updated = *job;
  updated.set_priority(priority);
  SPOOLGATE_RETURN_IF_ERROR(records_.UpdateJobLocked(updated, /*sync=*/true));
  dispatcher_.ScheduleLocked();
  return updated;
}

absl::StatusOr<v1::RemoveJobsResponse> AdminOps::RemoveJobs(const v1::RemoveJobsRequest& request) {
  bool admin = request.requester_user() == "root" &&
               net::AddressInRanges(request.requester_address(), state_.admin_ranges);
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
    absl::MutexLock lock(&state_.mu);
    if (!state_.queues.count(request.queue())) {
      return absl::NotFoundError(absl::StrCat("no queue '", request.queue(), "'"));
    }
    // In print order; without a list only the first permitted job matters.
    bool first_only = request.job_ids_size() == 0 && request.users_size() == 0 && !request.all();
    state_.active.ForEachInQueue(request.queue(), std::nullopt, [&](const v1::Job& job) {
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

std::vector<v1::ListQueuesResponse::Entry> AdminOps::ListQueues() {
  absl::MutexLock lock(&state_.mu);
  std::vector<v1::ListQueuesResponse::Entry> out;
  for (const auto& [name, state] : state_.queues) {
    v1::ListQueuesResponse::Entry entry;
    *entry.mutable_queue() = state.queue;
    entry.set_printing_jobs(static_cast<uint32_t>(state_.active.Count(name, v1::JOB_STATE_PRINTING)));
    entry.set_pending_jobs(static_cast<uint32_t>(state_.active.Count(name, v1::JOB_STATE_PENDING) +
                                                 state_.active.Count(name, v1::JOB_STATE_HELD)));
    for (auto& attached : state_.agents) {
      for (const auto& slot : attached.printers) {
        if (slot.status.queue() == name) entry.set_printers(entry.printers() + 1);
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

absl::StatusOr<v1::Queue> AdminOps::CreateQueue(const v1::Queue& queue) {
  if (!ValidQueueName(queue.name())) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad queue name '", queue.name(), "': use [A-Za-z0-9_.-]{1,64}"));
  }
  absl::MutexLock lock(&state_.mu);
  if (state_.queues.count(queue.name())) {
    return absl::AlreadyExistsError(absl::StrCat("queue '", queue.name(), "' exists"));
  }
  state_.queues[queue.name()].queue = queue;
  SPOOLGATE_RETURN_IF_ERROR(PersistQueueLocked(queue.name()));
  Log("queue %s created", queue.name());
  return queue;
}

absl::Status AdminOps::DeleteQueue(const std::string& name) {
  absl::MutexLock lock(&state_.mu);
  auto it = state_.queues.find(name);
  if (it == state_.queues.end()) return absl::NotFoundError(absl::StrCat("no queue '", name, "'"));
  size_t unfinished = it->second.receiving + state_.active.CountInQueue(name);
  if (unfinished > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("queue '", name, "' still has ", unfinished, " unfinished job(s)"));
  }
  state_.queues.erase(it);  // from now on nothing is accepted for it
  SPOOLGATE_RETURN_IF_ERROR(PersistQueueLocked(name));
  Log("queue %s deleted", name);
  return absl::OkStatus();
}

absl::StatusOr<v1::Queue> AdminOps::UpdateQueue(const v1::UpdateQueueRequest& request) {
  absl::MutexLock lock(&state_.mu);
  auto it = state_.queues.find(request.name());
  if (it == state_.queues.end()) {
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
  bool quota_reaches_further = Intake::QuotaPeriod(queue) > Intake::QuotaPeriod(it->second.queue);
  it->second.queue = queue;
  SPOOLGATE_RETURN_IF_ERROR(PersistQueueLocked(queue.name()));
  if (quota_reaches_further) {
    if (auto s = intake_.RebuildQuotaIndexLocked(queue); !s.ok()) {
      Log("queue %s: quota counts only jobs from now on: %s", queue.name(), s.ToString());
    }
  }
  Log("queue %s updated: accepting=%s enabled=%s max_job_bytes=%d max_pending_jobs=%d",
      queue.name(), queue.accepting() ? "yes" : "no", queue.enabled() ? "yes" : "no",
      queue.max_job_bytes(),
      queue.max_pending_jobs());
  dispatcher_.ScheduleLocked();
  return queue;
}

// Queue and printer settings change in memory first, then are written
// without mu: writers take turns (config_store_mu) and each writes what
// memory holds when its turn comes, so however their writes interleave the
// store ends with the latest value.
absl::Status AdminOps::PersistQueueLocked(const std::string& name) {
  state_.mu.Unlock();
  absl::Status s;
  {
    absl::MutexLock turn(&state_.config_store_mu);
    std::optional<v1::Queue> latest;
    {
      absl::MutexLock lock(&state_.mu);
      if (auto it = state_.queues.find(name); it != state_.queues.end()) latest = it->second.queue;
    }
    s = latest ? state_.store->PutQueue(*latest) : state_.store->DeleteQueue(name);
  }
  state_.mu.Lock();
  return s;
}

absl::StatusOr<v1::PrinterResponse> AdminOps::StopPrinter(const std::string& name,
                                                         const std::string& reason) {
  absl::MutexLock lock(&state_.mu);
  SPOOLGATE_ASSIGN_OR_RETURN(std::string label, printers_.ResolvePrinterLocked(name));
  SPOOLGATE_RETURN_IF_ERROR(
      printers_.StopPrinterLocked(label, reason.empty() ? "stopped by an administrator" : reason));
  v1::PrinterResponse response;
  response.set_name(label);
  if (auto it = state_.stopped_printers.find(label); it != state_.stopped_printers.end()) {
    *response.mutable_status() = it->second;
  }
  return response;
}

absl::StatusOr<v1::PrinterResponse> AdminOps::StartPrinter(const std::string& name) {
  absl::MutexLock lock(&state_.mu);
  SPOOLGATE_ASSIGN_OR_RETURN(std::string label, printers_.ResolvePrinterLocked(name));
  v1::PrinterResponse response;
  response.set_name(label);
  if (state_.stopped_printers.erase(label) > 0) {
    Log("printer %s started", label);
    SPOOLGATE_RETURN_IF_ERROR(printers_.PersistPrinterLocked(label));
  }
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (const auto& slot : attached.printers) {
      if (PrinterLabel(*agent, slot) == label) {
        *response.mutable_status() = slot.status;
      }
    }
  }
  dispatcher_.ScheduleLocked();
  return response;
}

absl::StatusOr<std::vector<v1::AccountingRecord>> AdminOps::ListAccounting(
    const v1::ListAccountingRequest& request) {
  absl::Time until = request.until_unix_micros() != 0
                         ? absl::FromUnixMicros(request.until_unix_micros())
                         : absl::InfiniteFuture();
  if (until == absl::InfiniteFuture()) until = state_.options.clock() + absl::Hours(1);
  return state_.store->ListAccounting(absl::FromUnixMicros(request.since_unix_micros()), until,
                                request.limit());
}

absl::Status AdminOps::ReopenAccountingLog() {
  if (!state_.accounting_log) return absl::OkStatus();
  SPOOLGATE_RETURN_IF_ERROR(state_.accounting_log->Reopen());
  Log("accounting log %s reopened", state_.options.accounting_log);
  return absl::OkStatus();
}

std::vector<v1::ListPrintersResponse::Entry> AdminOps::ListPrinters() {
  absl::MutexLock lock(&state_.mu);
  std::vector<v1::ListPrintersResponse::Entry> out;
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (const auto& slot : attached.printers) {
      v1::ListPrintersResponse::Entry entry;
      entry.set_agent_id(agent->agent_id());
      entry.set_peer(agent->peer());
      *entry.mutable_status() = printers_.EffectiveStatusLocked(*agent, slot);
      entry.set_current_job(slot.current_job);
      entry.set_current_job_bytes_written(slot.bytes_written);
      entry.set_connected_unix_micros(Micros(agent->connected()));
      out.push_back(std::move(entry));
    }
  }
  return out;
}

}  // namespace spoolgate::spooler
