// The administrator's operations: queues, listing and changing jobs
// (including lprm's ownership rule), printers, quotas and accounting.
//
// Thread safety: every method may be called from any thread; each takes
// SpoolerState::mu as it needs, and none holds it across a synced write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/spooler/dispatcher.h"
#include "services/spooler/intake.h"
#include "services/spooler/job_records.h"
#include "services/spooler/list_cursor.h"
#include "services/spooler/printers.h"
#include "services/spooler/spooler_state.h"
#include "spoolgate/v1/admin.pb.h"

namespace spoolgate::spooler {

class AdminOps {
 public:
  AdminOps(SpoolerState& state, JobRecords& records, Printers& printers, Dispatcher& dispatcher,
           Intake& intake)
      : state_(state), records_(records), printers_(printers), dispatcher_(dispatcher),
        intake_(intake) {}

  // ---- Queues ----
  std::vector<v1::ListQueuesResponse::Entry> ListQueues() ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Queue> CreateQueue(const v1::Queue& queue) ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::Status DeleteQueue(const std::string& name) ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Queue> UpdateQueue(const v1::UpdateQueueRequest& request)
      ABSL_LOCKS_EXCLUDED(state_.mu);

  // ---- Jobs ----
  // One page of the listing (see ListJobsRequest): never a scan of every
  // job, and never more than a page held in memory.
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Job> GetJob(uint64_t id) ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Job> CancelJob(uint64_t id, const std::string& reason)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Job> HoldJob(uint64_t id) ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Job> ReleaseJob(uint64_t id) ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Job> MoveJob(uint64_t id, const std::string& queue)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::Job> SetJobPriority(uint64_t id, int priority) ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::RemoveJobsResponse> RemoveJobs(const v1::RemoveJobsRequest& request)
      ABSL_LOCKS_EXCLUDED(state_.mu);

  // ---- Printers ----
  std::vector<v1::ListPrintersResponse::Entry> ListPrinters() ABSL_LOCKS_EXCLUDED(state_.mu);
  // Stop/start a printer by "agent/printer" (or a printer name only one
  // attached agent has); persisted.
  absl::StatusOr<v1::PrinterResponse> StopPrinter(const std::string& name,
                                                  const std::string& reason)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  absl::StatusOr<v1::PrinterResponse> StartPrinter(const std::string& name)
      ABSL_LOCKS_EXCLUDED(state_.mu);

  // ---- Accounting ----
  absl::StatusOr<std::vector<v1::AccountingRecord>> ListAccounting(
      const v1::ListAccountingRequest& request);
  // After logrotate moved the accounting log away (SIGHUP).
  absl::Status ReopenAccountingLog();

 private:
  // Lists active jobs after `cursor` into `response` (at most `page` jobs,
  // looking at no more than a bounded number); true when they are done.
  bool ListActiveLocked(const v1::ListJobsRequest& request, size_t page, ListCursor& cursor,
                        v1::ListJobsResponse& response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // The same for history, newest first; never under mu. Jobs already in
  // `response` are left out: a job whose completion is being written is
  // still active in memory while its final record can already be read
  // back, and one listing must not show it twice.
  absl::StatusOr<bool> ListFinished(const v1::ListJobsRequest& request, size_t page,
                                    ListCursor& cursor, v1::ListJobsResponse& response)
      ABSL_LOCKS_EXCLUDED(state_.mu);
  // Writes what memory holds for queue `name` (or its deletion) to the
  // store, with mu released meanwhile.
  absl::Status PersistQueueLocked(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

  SpoolerState& state_;
  JobRecords& records_;
  Printers& printers_;
  Dispatcher& dispatcher_;
  Intake& intake_;
};

}  // namespace spoolgate::spooler
