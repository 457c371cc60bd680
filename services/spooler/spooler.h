// The spooler core: queues, jobs, intake, dispatch to agents and the admin
// operations, on top of JobStore. The gRPC services are thin wrappers
// around this facade, which opens the store, repairs it, builds the
// in-memory view and wires the parts together:
// - Intake (intake.h): admitting, receiving and committing jobs;
// - Dispatcher (dispatcher.h): agents, printers, leases and scheduling;
// - AdminOps (admin_ops.h): queues, job listings and changes, printers;
// - Housekeeper (housekeeper.h): the periodic work;
// - JobRecords (job_records.h) and Printers (printers.h) beneath them;
// all sharing one SpoolerState (spooler_state.h).
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/spooler/admin_ops.h"
#include "services/spooler/dispatcher.h"
#include "services/spooler/housekeeper.h"
#include "services/spooler/intake.h"
#include "services/spooler/job_records.h"
#include "services/spooler/printers.h"
#include "services/spooler/spooler_state.h"

namespace spoolgate::spooler {

class Spooler {
 public:
  // Opens the store at options.data_dir, repairs it (purges RECEIVING jobs,
  // returns PRINTING jobs to PENDING, drops spool files that no job names),
  // creates missing queues and starts housekeeping. `registry` may be null
  // (no metrics).
  static absl::StatusOr<std::unique_ptr<Spooler>> Open(SpoolerOptions options,
                                                       prometheus::Registry* registry);
  ~Spooler();

  // ---- Intake ----
  absl::StatusOr<std::unique_ptr<Submission>> BeginJob(const v1::JobHeader& header) {
    return intake_.BeginJob(header);
  }

  // ---- Admin ----
  std::vector<v1::ListQueuesResponse::Entry> ListQueues() { return admin_.ListQueues(); }
  absl::StatusOr<v1::Queue> CreateQueue(const v1::Queue& queue) { return admin_.CreateQueue(queue); }
  absl::Status DeleteQueue(const std::string& name) { return admin_.DeleteQueue(name); }
  absl::StatusOr<v1::Queue> UpdateQueue(const v1::UpdateQueueRequest& request) {
    return admin_.UpdateQueue(request);
  }
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request) {
    return admin_.ListJobs(request);
  }
  absl::StatusOr<v1::Job> GetJob(uint64_t id) { return admin_.GetJob(id); }
  absl::StatusOr<v1::Job> CancelJob(uint64_t id, const std::string& reason) {
    return admin_.CancelJob(id, reason);
  }
  absl::StatusOr<v1::Job> HoldJob(uint64_t id) { return admin_.HoldJob(id); }
  absl::StatusOr<v1::Job> ReleaseJob(uint64_t id) { return admin_.ReleaseJob(id); }
  absl::StatusOr<v1::Job> MoveJob(uint64_t id, const std::string& queue) {
    return admin_.MoveJob(id, queue);
  }
  absl::StatusOr<v1::Job> SetJobPriority(uint64_t id, int priority) {
    return admin_.SetJobPriority(id, priority);
  }
  absl::StatusOr<v1::RemoveJobsResponse> RemoveJobs(const v1::RemoveJobsRequest& request) {
    return admin_.RemoveJobs(request);
  }
  std::vector<v1::ListPrintersResponse::Entry> ListPrinters() { return admin_.ListPrinters(); }
  absl::StatusOr<v1::PrinterResponse> StopPrinter(const std::string& name, const std::string& reason) {
    return admin_.StopPrinter(name, reason);
  }
  absl::StatusOr<v1::PrinterResponse> StartPrinter(const std::string& name) {
    return admin_.StartPrinter(name);
  }
  absl::StatusOr<v1::GetQuotaResponse> GetQuota(const std::string& user) {
    return intake_.GetQuota(user);
  }
  absl::StatusOr<std::vector<v1::AccountingRecord>> ListAccounting(
      const v1::ListAccountingRequest& request) {
    return admin_.ListAccounting(request);
  }
  absl::Status ReopenAccountingLog() { return admin_.ReopenAccountingLog(); }

  // ---- Dispatch ----
  absl::StatusOr<std::shared_ptr<AgentConnection>> AttachAgent(const v1::AgentHello& hello,
                                                               const std::string& peer,
                                                               const std::string& credential = "") {
    return dispatcher_.AttachAgent(hello, peer, credential);
  }
  absl::Status HandleAgentMessage(AgentConnection& agent, const v1::AgentMessage& message) {
    return dispatcher_.HandleAgentMessage(agent, message);
  }
  void DetachAgent(AgentConnection& agent) { dispatcher_.DetachAgent(agent); }
  absl::Status ReadDocument(uint64_t job_id, uint32_t document, uint64_t offset,
                            const std::function<bool(uint64_t, absl::string_view)>& fn) {
    return dispatcher_.ReadDocument(job_id, document, offset, "", fn);
  }
  absl::Status ReadDocument(uint64_t job_id, uint32_t document, uint64_t offset,
                            const std::string& agent_credential,
                            const std::function<bool(uint64_t, absl::string_view)>& fn) {
    return dispatcher_.ReadDocument(job_id, document, offset, agent_credential, fn);
  }

  // Expires leases, schedules jobs whose backoff ended, purges old history
  // and refreshes gauges. Called periodically; public for tests.
  void Housekeep() { housekeeper_.Housekeep(); }
  // Refuses new jobs (UNAVAILABLE) and closes agent connections. Idempotent.
  void Shutdown();

  JobStore& store() { return *state_.store; }
  const SpoolFiles& spool_files() const { return state_.spool_files; }

 private:
  Spooler(SpoolerOptions options, std::unique_ptr<JobStore> store, SpoolFiles spool_files,
          std::unique_ptr<SpoolerMetrics> metrics);
  // Builds the in-memory view from the repaired unfinished jobs.
  absl::Status LoadLocked(std::vector<v1::Job> active) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Removes spool files that no unfinished job names.
  absl::Status RemoveUnnamedSpoolFilesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

  SpoolerState state_;
  JobRecords records_{state_};
  Printers printers_{state_};
  Dispatcher dispatcher_{state_, records_, printers_};
  Intake intake_{state_, dispatcher_};
  AdminOps admin_{state_, records_, printers_, dispatcher_, intake_};
  Housekeeper housekeeper_{state_, printers_, dispatcher_, intake_};  // last: stopped first
};

}  // namespace spoolgate::spooler
