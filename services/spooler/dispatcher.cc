#include "services/spooler/dispatcher.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "lib/model/printer_state.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "services/spooler/job_state.h"

namespace spoolgate::spooler {

namespace {
// Spool files are read, and sent to agents, in blocks of this size: within
// any gRPC receive limit whatever the intake chunk limit is.
constexpr size_t kDocumentReadBlockBytes = 1 << 20;

// What an agent reports, as a fraction that never leaves 0..1.
float ProgressFraction(uint64_t done, uint64_t total) {
  if (total == 0) return 0;
  return done >= total ? 1.0f : static_cast<float>(static_cast<double>(done) / static_cast<double>(total));
}
}  // namespace

absl::StatusOr<std::shared_ptr<AgentConnection>> Dispatcher::AttachAgent(
    const v1::AgentHello& hello, const std::string& peer, const std::string& credential) {
  if (hello.agent_id().empty()) return absl::InvalidArgumentError("hello without agent_id");
  AttachedAgent attached;
  attached.link = std::make_shared<AgentConnection>(hello.agent_id(), peer, state_.options.clock(),
                                                    credential);
  for (const auto& printer : hello.printers()) {
    if (printer.name().empty()) return absl::InvalidArgumentError("printer without a name");
    PrinterSlot slot;
    slot.status = printer;
    attached.printers.push_back(std::move(slot));
  }
  std::shared_ptr<AgentConnection> agent = attached.link;
  absl::MutexLock lock(&state_.mu);
  if (state_.shutting_down) return absl::UnavailableError("spooler is shutting down");
  state_.agents.push_back(std::move(attached));
  Log("agent %s attached from %s with %d printer(s)", hello.agent_id(), peer,
      hello.printers_size());
  ScheduleLocked();
  return agent;
}

PrinterSlot* Dispatcher::SlotForJobLocked(uint64_t job_id, AgentConnection** agent_out) {
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (auto& slot : attached.printers) {
      if (slot.Holds(job_id)) {
        *agent_out = agent.get();
        return &slot;
      }
    }
  }
  return nullptr;
}

AttachedAgent* Dispatcher::FindAgentLocked(const AgentConnection& agent) {
  for (auto& attached : state_.agents) {
    if (attached.link.get() == &agent) return &attached;
  }
  return nullptr;
}

PrinterSlot* Dispatcher::LeaseOfLocked(const AgentConnection& agent, uint64_t job_id,
                                       uint64_t lease) {
  AttachedAgent* attached = FindAgentLocked(agent);
  if (attached == nullptr) return nullptr;
  for (auto& slot : attached->printers) {
    if (slot.HoldsLease(job_id, lease)) return &slot;
  }
  return nullptr;
}

uint64_t Dispatcher::NewLeaseLocked() {
  uint64_t now = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  state_.last_lease = std::max(state_.last_lease + 1, now);
  return state_.last_lease;
}

absl::Status Dispatcher::HandleAgentMessage(AgentConnection& agent, const v1::AgentMessage& message) {
  absl::MutexLock lock(&state_.mu);
  switch (message.kind_case()) {
    case v1::AgentMessage::kPrinterStatus:
      return OnPrinterStatus(agent, message.printer_status());
    case v1::AgentMessage::kProgress: {
      const v1::JobProgress& progress = message.progress();
      PrinterSlot* slot = LeaseOfLocked(agent, progress.job_id(), progress.lease());
      if (slot != nullptr && slot->current_job == progress.job_id()) {
        slot->bytes_written = progress.bytes_written();
        slot->progress = ProgressFraction(progress.document_bytes(), progress.document_bytes_total());
        slot->lease_deadline = state_.options.clock() + state_.options.lease;
      }
      return absl::OkStatus();
    }
    case v1::AgentMessage::kCompleted:
      return OnCompleted(agent, message.completed());
    case v1::AgentMessage::kFailed:
      return OnFailed(agent, message.failed());
    case v1::AgentMessage::kWarning: {
      const v1::Job* job = records_.SettledJobLocked(message.warning().job_id());
      if (job != nullptr &&
          LeaseOfLocked(agent, message.warning().job_id(), message.warning().lease()) != nullptr) {
        v1::Job updated = *job;
        updated.add_warnings(message.warning().warning());
        return records_.UpdateJobLocked(updated, /*sync=*/false);
      }
      return absl::OkStatus();
    }
    case v1::AgentMessage::kPrinterRemoved:
      OnPrinterRemoved(agent, message.printer_removed().name());
      return absl::OkStatus();
    case v1::AgentMessage::kHello:
      return absl::InvalidArgumentError("hello sent twice");
    default:
      return absl::InvalidArgumentError("empty agent message");
  }
}

absl::Status Dispatcher::OnPrinterStatus(AgentConnection& agent, const v1::PrinterStatus& status) {
  const std::string& name = status.name();
  if (name.empty()) return absl::InvalidArgumentError("printer status without a name");
  AttachedAgent* attached = FindAgentLocked(agent);
  if (attached == nullptr) return absl::FailedPreconditionError("agent not attached");
  std::vector<PrinterSlot>& printers = attached->printers;
  if (std::none_of(printers.begin(), printers.end(),
                   [&](const PrinterSlot& s) { return s.status.name() == name; })) {
    PrinterSlot slot;
    slot.status = status;
    printers.push_back(std::move(slot));
    Log("printer %s/%s added (queue %s)", agent.agent_id(), name, status.queue());
  }
  for (auto& slot : printers) {
    if (slot.status.name() != name) continue;
    bool changed = slot.status.state() != status.state();
    slot.status = status;
    if (changed) Log("printer %s/%s is %s", agent.agent_id(), name, DescribePrinter(slot.status));
  }
  ScheduleLocked();
  return absl::OkStatus();
}

absl::Status Dispatcher::OnCompleted(AgentConnection& agent, const v1::JobCompleted& completed) {
  uint64_t id = completed.job_id();
  PrinterSlot* slot = LeaseOfLocked(agent, id, completed.lease());
  if (slot == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " (lease ", completed.lease(), ") is not leased to this agent"));
  }
  slot->Release(id, state_.options.clock() + state_.options.lease);
  PromoteLocked(agent, *slot);  // the job sent ahead starts printing
  const v1::Job* job = records_.SettledJobLocked(id);
  if (job != nullptr && job->state() == v1::JOB_STATE_PRINTING) {
    v1::Job updated = *job;
    records_.EndAttemptLocked(updated, "completed", "");
    updated.set_bytes_printed(completed.bytes_written());
    updated.set_progress(1);
    updated.set_pages(completed.pages());
    updated.set_state(v1::JOB_STATE_COMPLETED);
    updated.set_finished_unix_micros(Micros(state_.options.clock()));
    ScheduleLocked();  // a job to send ahead first, then the record
    records_.CompleteJobLocked(std::move(updated));
  }
  ScheduleLocked();
  return absl::OkStatus();
}

absl::Status Dispatcher::OnFailed(AgentConnection& agent, const v1::JobFailed& failed) {
  // A late report of an attempt that was withdrawn (the job went back to
  // its queue and maybe to this printer again) matches no lease: ignored.
  PrinterSlot* slot = LeaseOfLocked(agent, failed.job_id(), failed.lease());
  if (slot == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "job ", failed.job_id(), " (lease ", failed.lease(), ") is not leased to this agent"));
  }
  slot->Release(failed.job_id(), state_.options.clock() + state_.options.lease);
  // `slot` stays valid below: only this agent's own messages change its
  // list of printers, and they are applied one at a time.
  const v1::Job* job = records_.SettledJobLocked(failed.job_id());
  if (job != nullptr && job->state() == v1::JOB_STATE_PRINTING) {
    switch (failed.disposition()) {
      case v1::FAILURE_DISPOSITION_HOLD: {
        v1::Job updated = *job;
        records_.EndAttemptLocked(updated, "held", failed.error());
        updated.set_state(v1::JOB_STATE_HELD);
        updated.set_last_error(failed.error());
        if (auto s = records_.UpdateJobLocked(updated, true); !s.ok()) return s;
        Log("job %d held after failure: %s", failed.job_id(), failed.error());
        break;
      }
      case v1::FAILURE_DISPOSITION_FAIL:
        (void)records_.FinishJobLocked(failed.job_id(), v1::JOB_STATE_FAILED, failed.error(),
                                       "failed");
        break;
      case v1::FAILURE_DISPOSITION_CANCEL:
        (void)records_.FinishJobLocked(failed.job_id(), v1::JOB_STATE_CANCELLED, failed.error(),
                                       "cancelled");
        break;
      default:
        ApplyErrorPolicyLocked(failed.job_id(), PrinterLabel(agent, *slot), failed.error());
    }
  }
  // A printer that is now stopped or in error must not print the job
  // sent ahead: it stays in its queue, and the agent drops it.
  if (slot->current_job != 0 &&
      PrinterUnavailable(printers_.EffectiveStatusLocked(agent, *slot).state())) {
    ReturnLeaseLocked(agent, *slot, slot->current_job, "printer unavailable");
  }
  PromoteLocked(agent, *slot);
  ScheduleLocked();
  return absl::OkStatus();
}

void Dispatcher::OnPrinterRemoved(AgentConnection& agent, const std::string& name) {
  AttachedAgent* attached = FindAgentLocked(agent);
  if (attached == nullptr) return;
  std::vector<PrinterSlot>& printers = attached->printers;
  auto it = std::find_if(printers.begin(), printers.end(),
                         [&](const PrinterSlot& slot) { return slot.status.name() == name; });
  if (it != printers.end()) {
    // Out of the list first: nothing is scheduled to it while its job goes
    // back (RequeueLocked releases mu).
    PrinterSlot removed = std::move(*it);
    printers.erase(it);
    std::string why = absl::StrCat("printer ", agent.agent_id(), "/", name, " was removed");
    if (removed.next_job != 0) ReturnLeaseLocked(agent, removed, removed.next_job, why);
    if (removed.current_job != 0) {
      records_.RequeueLocked(removed.current_job, why,
                             JobRecords::Retry{/*limited=*/false, /*backoff=*/false, ""});
    }
    Log("printer %s/%s removed", agent.agent_id(), name);
  }
  ScheduleLocked();
}

void Dispatcher::ExpireLeasesLocked(absl::Time now) {
  struct Expired {
    std::shared_ptr<AgentConnection> agent;
    uint64_t id;
    uint64_t lease;
    std::string printer;
  };
  std::vector<Expired> expired;  // requeued after the loop: that releases mu
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (auto& slot : attached.printers) {
      if (slot.current_job == 0 || slot.lease_deadline > now) continue;
      expired.push_back({agent, slot.current_job, slot.current_lease, PrinterLabel(*agent, slot)});
      slot.current_job = slot.current_lease = 0;
      // An agent that stopped reporting will not start the next job either.
      if (slot.next_job != 0) ReturnLeaseLocked(*agent, slot, slot.next_job, "lease expired");
    }
  }
  for (const auto& e : expired) {
    const v1::Job* job = records_.SettledJobLocked(e.id);
    if (job == nullptr || job->state() != v1::JOB_STATE_PRINTING) continue;
    records_.RequeueLocked(e.id, absl::StrCat("lease expired on ", e.printer));
    e.agent->SendCancel(e.id, e.lease, "lease expired");
  }
}

void Dispatcher::AttachInlineDocuments(const v1::Job& job, v1::AssignJob* assign) const {
  for (const auto& doc : job.documents()) {
    if (doc.storage() != v1::DOCUMENT_STORAGE_INLINE) continue;
    std::string& bytes = (*assign->mutable_documents())[doc.index()];
    auto s = state_.store->ReadDocument(job.id(), doc.index(), 0, [&](uint64_t, absl::string_view data) {
      bytes.append(data.data(), data.size());
      return true;
    });
    if (!s.ok() || bytes.size() != doc.size_bytes()) {
      // The agent reads it with ReadDocument, which reports the problem.
      assign->mutable_documents()->erase(doc.index());
    }
  }
}

void Dispatcher::ReturnLeaseLocked(AgentConnection& agent, PrinterSlot& slot, uint64_t id,
                                const std::string& reason) {
  // A job sent ahead is still PENDING in its queue: only the reservation
  // ends, and the agent is told to drop it.
  uint64_t lease = slot.LeaseOf(id);
  slot.Release(id, absl::InfinitePast());
  agent.SendCancel(id, lease, reason);
  Log("job %d no longer sent ahead: %s", id, reason);
}

void Dispatcher::PromoteLocked(AgentConnection& agent, PrinterSlot& slot) {
  uint64_t id = slot.current_job;
  if (id == 0) return;
  const v1::Job* job = records_.SettledJobLocked(id);
  if (job == nullptr || job->state() == v1::JOB_STATE_PRINTING) return;
  if (job->state() != v1::JOB_STATE_PENDING) {
    // Changed while it waited; its reservation should have ended with that.
    ReturnLeaseLocked(agent, slot, id, "no longer pending");
    return;
  }
  if (!StartLeaseLocked(agent, slot, id, slot.current_lease, state_.options.clock()).ok()) {
    ReturnLeaseLocked(agent, slot, id, "cannot lease");
  }
}

void Dispatcher::UnreserveLocked(uint64_t id, const std::string& reason) {
  AgentConnection* agent = nullptr;
  PrinterSlot* slot = SlotForJobLocked(id, &agent);
  if (slot != nullptr && slot->next_job == id) ReturnLeaseLocked(*agent, *slot, id, reason);
}

bool Dispatcher::ReservedLocked(uint64_t id) {
  AgentConnection* agent = nullptr;
  PrinterSlot* slot = SlotForJobLocked(id, &agent);
  return slot != nullptr && slot->next_job == id;
}

absl::StatusOr<v1::Job> Dispatcher::StartLeaseLocked(AgentConnection& agent, PrinterSlot& slot,
                                                  uint64_t id, uint64_t lease, absl::Time now) {
  const v1::Job* job = state_.active.Find(id);
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
  if (auto s = records_.UpdateJobLocked(updated, /*sync=*/false); !s.ok()) {
    Log("job %d: cannot lease: %s", id, s.ToString());
    return s;
  }
  slot.current_job = id;
  slot.current_lease = lease;
  slot.bytes_written = 0;
  slot.progress = 0;
  slot.lease_deadline = now + state_.options.lease;
  Log("job %d printing on %s (attempt %d)", id, updated.printer(), updated.attempts());
  return updated;
}

void Dispatcher::DetachAgent(AgentConnection& agent) {
  absl::MutexLock lock(&state_.mu);
  // Out of the list first: nothing is scheduled to it while its jobs go
  // back (RequeueLocked releases the mutex).
  std::vector<PrinterSlot> printers;
  for (auto it = state_.agents.begin(); it != state_.agents.end(); ++it) {
    if (it->link.get() != &agent) continue;
    printers = std::move(it->printers);
    state_.agents.erase(it);
    break;
  }
  std::string why = absl::StrCat("agent ", agent.agent_id(), " lost");
  std::vector<uint64_t> printing;
  for (auto& slot : printers) {
    if (slot.current_job != 0) printing.push_back(slot.current_job);
    if (slot.next_job != 0) ReturnLeaseLocked(agent, slot, slot.next_job, why);
    slot.current_job = slot.next_job = slot.current_lease = slot.next_lease = 0;
  }
  for (uint64_t id : printing) records_.RequeueLocked(id, why);
  agent.Close();
  Log("agent %s detached", agent.agent_id());
  ScheduleLocked();
}

void Dispatcher::ScheduleLocked() {
  if (state_.shutting_down) return;
  // Idle printers first; then each busy printer gets the job it will print
  // next, so that it never waits for the spooler between two jobs.
  AssignJobsLocked(/*ahead=*/false);
  AssignJobsLocked(/*ahead=*/true);
}

void Dispatcher::AssignJobsLocked(bool ahead) {
  struct Candidate {
    AgentConnection* agent;
    PrinterSlot* slot;
  };
  // A job sent ahead is bound to its printer; where a queue has several
  // printers, another one may fall idle first, so only a queue's sole
  // printer gets one.
  absl::flat_hash_map<std::string, int> printers_of_queue;
  if (ahead) {
    for (auto& attached : state_.agents) {
      for (const auto& slot : attached.printers) ++printers_of_queue[slot.status.queue()];
    }
  }
  std::vector<Candidate> candidates;
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (auto& slot : attached.printers) {
      auto q = state_.queues.find(slot.status.queue());
      if (q == state_.queues.end() || !q->second.queue.enabled()) continue;
      if (ahead && printers_of_queue[slot.status.queue()] > 1) continue;
      bool free = ahead ? slot.current_job != 0 && slot.next_job == 0 : slot.current_job == 0;
      if (!free || PrinterUnavailable(printers_.EffectiveStatusLocked(*agent, slot).state())) continue;
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
  for (auto& attached : state_.agents) {
    for (const auto& slot : attached.printers) {
      if (slot.next_job != 0) taken.insert(slot.next_job);
    }
  }
  absl::Time now = state_.options.clock();
  state_.active.WakeDue(now);
  for (Candidate& c : candidates) {
    uint64_t id = state_.active.NextToPrint(c.slot->status.queue(), PrinterLabel(*c.agent, *c.slot),
                                      [&](uint64_t job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
                                        return taken.contains(job) || state_.settling.contains(job);
                                      });
    if (id == 0) continue;
    taken.insert(id);
    uint64_t lease = NewLeaseLocked();
    v1::Job job;
    if (ahead) {
      // Stays PENDING (and first in its queue) until the printer starts it.
      job = *state_.active.Find(id);
      c.slot->next_job = id;
      c.slot->next_lease = lease;
    } else {
      auto leased = StartLeaseLocked(*c.agent, *c.slot, id, lease, now);
      if (!leased.ok()) continue;
      job = *std::move(leased);
    }
    c.slot->last_assignment = ++state_.assignments;
    v1::SpoolerMessage message;
    message.mutable_assign()->set_printer(c.slot->status.name());
    message.mutable_assign()->set_lease(lease);
    *message.mutable_assign()->mutable_job() = job;
    message.mutable_assign()->set_banners(state_.queues[job.queue()].queue.banners());
    AttachInlineDocuments(job, message.mutable_assign());
    c.agent->Send(std::move(message));
    if (ahead) Log("job %d sent ahead to %s", job.id(), PrinterLabel(*c.agent, *c.slot));
  }
}

absl::Status Dispatcher::ReadDocument(uint64_t job_id, uint32_t document, uint64_t offset,
                                      const std::string& agent_credential,
                                      const std::function<bool(uint64_t, absl::string_view)>& fn) {
  v1::Document doc;
  {
    absl::MutexLock lock(&state_.mu);
    SPOOLGATE_ASSIGN_OR_RETURN(const v1::Job* job, records_.ActiveJobLocked(job_id));
    if (!agent_credential.empty()) {
      AgentConnection* holder = nullptr;
      if (SlotForJobLocked(job_id, &holder) == nullptr || holder->credential() != agent_credential) {
        return absl::PermissionDeniedError(absl::StrCat(
            "job ", job_id, " is not leased to a printer of agent credential '", agent_credential,
            "'"));
      }
    }
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
    return state_.spool_files.Read(doc.spool_file(), offset, kDocumentReadBlockBytes, fn);
  }
  return state_.store->ReadDocument(job_id, document, offset, fn);
}

void Dispatcher::ApplyErrorPolicyLocked(uint64_t id, const std::string& label,
                                     const std::string& error) {
  const v1::Job* job = records_.SettledJobLocked(id);
  if (job == nullptr || job->state() != v1::JOB_STATE_PRINTING) return;
  v1::ErrorPolicy policy = v1::ERROR_POLICY_RETRY_JOB;
  if (auto q = state_.queues.find(job->queue()); q != state_.queues.end()) {
    policy = q->second.queue.error_policy();
  }
  switch (policy) {
    case v1::ERROR_POLICY_ABORT_JOB:
      (void)records_.FinishJobLocked(id, v1::JOB_STATE_FAILED,
                            absl::StrCat(error, " (error policy abort-job)"), "failed");
      return;
    case v1::ERROR_POLICY_RETRY_CURRENT_JOB:
      records_.RequeueLocked(id, error, JobRecords::Retry{/*limited=*/false, /*backoff=*/false, label});
      return;
    case v1::ERROR_POLICY_STOP_PRINTER:
      if (auto s = printers_.StopPrinterLocked(label, absl::StrCat("stopped by error policy: ", error));
          !s.ok()) {
        Log("printer %s: cannot stop: %s", label, s.ToString());
      }
      // Back to the head of its queue (its priority and id keep it there),
      // without a wait and without counting towards a limit.
      records_.RequeueLocked(id, error, JobRecords::Retry{/*limited=*/false, /*backoff=*/false, ""});
      return;
    default:
      records_.RequeueLocked(id, error);
  }
}

}  // namespace spoolgate::spooler
