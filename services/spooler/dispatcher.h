// Dispatch: attached agents and their printers, leases, and scheduling
// (which pending job goes to which printer, and which job a busy printer
// gets to print next).
//
// Thread safety: public methods without the Locked suffix take
// SpoolerState::mu; the others require it. Agent messages of one agent are
// applied one at a time, by that agent's stream.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/spooler/job_records.h"
#include "services/spooler/printers.h"
#include "services/spooler/spooler_state.h"
#include "spoolgate/v1/dispatch.pb.h"

namespace spoolgate::spooler {

class Dispatcher {
 public:
  Dispatcher(SpoolerState& state, JobRecords& records, Printers& printers)
      : state_(state), records_(records), printers_(printers) {}

  // Registers an agent's printers; jobs for them are pushed to the returned
  // connection's outbox. The caller must call DetachAgent when the stream ends.
  // `credential`: the name the agent authenticated as (empty = unrestricted).
  absl::StatusOr<std::shared_ptr<AgentConnection>> AttachAgent(const v1::AgentHello& hello,
                                                               const std::string& peer,
                                                               const std::string& credential)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  // Applies one message from an attached agent (progress, completion, ...).
  absl::Status HandleAgentMessage(AgentConnection& agent, const v1::AgentMessage& message)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  // Returns the agent's in-flight jobs to PENDING and forgets its printers.
  void DetachAgent(AgentConnection& agent) ABSL_LOCKS_EXCLUDED(state_.mu);
  // Streams a document of a PRINTING (or sent-ahead) job from `offset`.
  // With an `agent_credential`, only if the job is leased to a printer of an
  // agent attached under that credential (PERMISSION_DENIED otherwise).
  absl::Status ReadDocument(uint64_t job_id, uint32_t document, uint64_t offset,
                            const std::string& agent_credential,
                            const std::function<bool(uint64_t, absl::string_view)>& fn)
      ABSL_LOCKS_EXCLUDED(state_.mu);

  // Idle printers get jobs; then each busy printer that is its queue's only
  // one gets the job it prints next, so it never waits between two jobs.
  void ScheduleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Requeues the jobs whose lease ran out at `now` and tells their agents.
  void ExpireLeasesLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Ends the reservation of job `id`, wherever it was sent ahead.
  void UnreserveLocked(uint64_t id, const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // The printer slot holding job `job_id` (current or sent ahead), if any.
  PrinterSlot* SlotForJobLocked(uint64_t job_id, AgentConnection** agent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

 private:
  // The entry of a connection, null once detached.
  AttachedAgent* FindAgentLocked(const AgentConnection& agent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // The slot of `agent` holding attempt `lease` of a job (current or sent
  // ahead), if any; lease 0 matches any attempt.
  PrinterSlot* LeaseOfLocked(const AgentConnection& agent, uint64_t job_id, uint64_t lease)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // A number for the next AssignJob.lease.
  uint64_t NewLeaseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // One handler per kind of agent message; `agent`'s own messages only.
  absl::Status OnPrinterStatus(AgentConnection& agent, const v1::PrinterStatus& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  absl::Status OnCompleted(AgentConnection& agent, const v1::JobCompleted& completed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  absl::Status OnFailed(AgentConnection& agent, const v1::JobFailed& failed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  void OnPrinterRemoved(AgentConnection& agent, const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Leases pending jobs to idle printers, or (`ahead`) to busy printers as
  // the job they print next.
  void AssignJobsLocked(bool ahead) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Puts the bytes of `job`'s inline documents into `assign` (they are
  // small: at most SpoolerOptions::inline_job_bytes in all).
  void AttachInlineDocuments(const v1::Job& job, v1::AssignJob* assign) const;
  // Ends the reservation of a job sent ahead (still PENDING); the agent is
  // told to drop it.
  void ReturnLeaseLocked(AgentConnection& agent, PrinterSlot& slot, uint64_t id,
                         const std::string& reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // The job sent ahead became the slot's current job: it is PRINTING now.
  void PromoteLocked(AgentConnection& agent, PrinterSlot& slot)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  bool ReservedLocked(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Leases PENDING job `id` to `slot` as its current job (PRINTING) under
  // `lease`.
  absl::StatusOr<v1::Job> StartLeaseLocked(AgentConnection& agent, PrinterSlot& slot, uint64_t id,
                                           uint64_t lease, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // A device error reported by the printer `label`: the job's queue's error
  // policy decides what happens to the job (and maybe the printer).
  void ApplyErrorPolicyLocked(uint64_t id, const std::string& label, const std::string& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

  SpoolerState& state_;
  JobRecords& records_;
  Printers& printers_;
};

}  // namespace spoolgate::spooler
