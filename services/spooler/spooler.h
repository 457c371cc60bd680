// The spooler core: queues, jobs, intake, dispatch to agents and the admin
// operations, on top of JobStore. The gRPC services are thin wrappers.
//
// Thread safety: every public method may be called from any thread. One
// mutex guards the in-memory view (active jobs, queues, agents). Job data
// I/O and intake's synced writes happen outside it, so many submitters
// share RocksDB's group commit instead of queueing on the lock.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "lib/net/cidr.h"
#include "services/spooler/accounting.h"
#include "services/spooler/active_jobs.h"
#include "services/spooler/duplicate_index.h"
#include "services/spooler/agent_connection.h"
#include "services/spooler/job_store.h"
#include "services/spooler/list_cursor.h"
#include "services/spooler/spool_files.h"
#include "services/spooler/spooler_metrics.h"
#include "services/spooler/submission.h"
#include "spoolgate/v1/admin.pb.h"
#include "spoolgate/v1/dispatch.pb.h"
#include "spoolgate/v1/intake.pb.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

struct SpoolerOptions {
  std::string data_dir;
  std::vector<v1::Queue> queues;  // created at start if missing
  uint32_t max_attempts = 5;
  absl::Duration retry_backoff = absl::Seconds(10);  // doubles per attempt
  absl::Duration max_backoff = absl::Hours(1);
  absl::Duration lease = absl::Seconds(120);
  absl::Duration history = absl::Hours(24);
  uint64_t min_free_disk_bytes = 256ull << 20;
  uint64_t default_max_job_bytes = 0;  // 0 = no limit
  std::vector<std::string> admin_hosts;
  size_t max_chunk_bytes = 1 << 20;
  // A job's documents up to this many bytes in all are written with its
  // commit; a document past it goes to a spool file of its own.
  size_t inline_job_bytes = 256 << 10;
  std::string accounting_log;  // JSON-lines file, one line per finished job; empty = none
  absl::Duration accounting_retention = absl::Hours(24 * 90);  // records kept in the database
  // Run Housekeep() on a background thread at this period; zero = never
  // (tests call Housekeep themselves).
  absl::Duration housekeeping_period = absl::Seconds(1);
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class Spooler {
 public:
  // Opens the store at options.data_dir, repairs it (purges RECEIVING jobs,
  // returns PRINTING jobs to PENDING, drops orphaned data and spool files
  // that no job names), creates missing
  // queues and starts housekeeping. `registry` may be null (no metrics).
  static absl::StatusOr<std::unique_ptr<Spooler>> Open(SpoolerOptions options,
                                                       prometheus::Registry* registry);
  ~Spooler();

  // ---- Intake ----
  // Checks the header against the queue's state and limits and reserves a
  // job id. The returned Submission receives the documents; destroying it
  // without Commit() discards the job.
  absl::StatusOr<std::unique_ptr<Submission>> BeginJob(const v1::JobHeader& header);

  // ---- Admin ----
  std::vector<v1::ListQueuesResponse::Entry> ListQueues();
  absl::StatusOr<v1::Queue> CreateQueue(const v1::Queue& queue);
  absl::Status DeleteQueue(const std::string& name);
  absl::StatusOr<v1::Queue> UpdateQueue(const v1::UpdateQueueRequest& request);
  // One page of the listing (see ListJobsRequest): never a scan of every
  // job, and never more than a page held in memory.
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request);
  absl::StatusOr<v1::Job> GetJob(uint64_t id);
  absl::StatusOr<v1::Job> CancelJob(uint64_t id, const std::string& reason);
  absl::StatusOr<v1::Job> HoldJob(uint64_t id);
  absl::StatusOr<v1::Job> ReleaseJob(uint64_t id);
  absl::StatusOr<v1::Job> MoveJob(uint64_t id, const std::string& queue);
  absl::StatusOr<v1::Job> SetJobPriority(uint64_t id, int priority);
  absl::StatusOr<v1::RemoveJobsResponse> RemoveJobs(const v1::RemoveJobsRequest& request);
  std::vector<v1::ListPrintersResponse::Entry> ListPrinters();
  // Stop/start a printer by "agent/printer" (or a printer name only one
  // attached agent has); persisted.
  absl::StatusOr<v1::PrinterResponse> StopPrinter(const std::string& name, const std::string& reason);
  absl::StatusOr<v1::PrinterResponse> StartPrinter(const std::string& name);

  // ---- Quotas ----
  absl::StatusOr<v1::GetQuotaResponse> GetQuota(const std::string& user);

  // ---- Accounting ----
  absl::StatusOr<std::vector<v1::AccountingRecord>> ListAccounting(
      const v1::ListAccountingRequest& request);
  // After logrotate moved the accounting log away (SIGHUP).
  absl::Status ReopenAccountingLog();

  // ---- Dispatch ----
  // Registers an agent's printers; jobs for them are pushed to the returned
  // connection's outbox. The caller must call DetachAgent when the stream ends.
  absl::StatusOr<std::shared_ptr<AgentConnection>> AttachAgent(const v1::AgentHello& hello,
                                                               const std::string& peer);
  // Applies one message from an attached agent (progress, completion, ...).
  absl::Status HandleAgentMessage(AgentConnection& agent, const v1::AgentMessage& message);
  // Returns the agent's in-flight jobs to PENDING and forgets its printers.
  void DetachAgent(AgentConnection& agent);
  // Streams a document of a PRINTING job from `offset` (see JobStore).
  absl::Status ReadDocument(uint64_t job_id, uint32_t document, uint64_t offset,
                            const std::function<bool(uint64_t, absl::string_view)>& fn);

  // Expires leases, schedules jobs whose backoff ended, purges old history
  // and refreshes gauges. Called periodically; public for tests.
  void Housekeep();
  // Refuses new jobs (UNAVAILABLE) and closes agent connections. Idempotent.
  void Shutdown();

  JobStore& store() { return *store_; }
  const SpoolFiles& spool_files() const { return spool_files_; }

 private:
  friend class Submission;
  struct QueueState {
    v1::Queue queue;
    uint32_t receiving = 0;  // jobs of this queue being received
  };

  Spooler(SpoolerOptions options, std::unique_ptr<JobStore> store, SpoolFiles spool_files,
           std::unique_ptr<SpoolerMetrics> metrics);
  // Builds the in-memory view from the repaired unfinished jobs.
  absl::Status LoadLocked(std::vector<v1::Job> active) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK, or ResourceExhausted("quota: ...") when `user` may not submit
  // another job of `more_bytes` to `queue` now. Drops entries out of window.
  absl::Status CheckQuotaLocked(const v1::Queue& queue, const std::string& user,
                                uint64_t more_bytes, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the accounting log lines queued since the last call; never under mu_.
  void FlushAccountingLog() ABSL_LOCKS_EXCLUDED(mu_);
  // The status people see: the agent's, or STOPPED while stopped here.
  v1::PrinterStatus EffectiveStatusLocked(const AgentConnection& agent, const PrinterSlot& slot)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // "agent/printer" for a full label or a unique printer name.
  absl::StatusOr<std::string> ResolvePrinterLocked(const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stops printer `label` at once and records it (releasing mu_ meanwhile).
  absl::Status StopPrinterLocked(const std::string& label, const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Write what memory holds for queue `name` / printer `label` to the store
  // (a put, or a delete if it is gone), with mu_ released meanwhile.
  absl::Status PersistQueueLocked(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PersistPrinterLocked(const std::string& label) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A device error reported by the printer `label`: the job's queue's error
  // policy decides what happens to the job (and maybe the printer).
  void ApplyErrorPolicyLocked(uint64_t id, const std::string& label, const std::string& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Submission callbacks.
  struct CommitResult {
    uint32_t position = 0;      // jobs ahead of it
    uint64_t duplicate_of = 0;  // not 0: a retry of this job, not queued again
  };
  absl::StatusOr<CommitResult> CommitJob(v1::Job job, uint64_t bytes,
                                         const std::vector<JobStore::InlineDocument>& documents);
  // Removes the spool files a discarded job created; `reason` labels the
  // discard in the log and in jobs_refused_total.
  void AbandonJob(const v1::Job& job, const std::vector<std::string>& spool_files,
                  const char* reason);
  // Unlinks the spool files of a job whose data is no longer needed.
  void RemoveSpoolFiles(const v1::Job& job) const;
  absl::Status CheckDiskSpace() const;
  uint64_t MaxJobBytes(const v1::Queue& queue) const;
  static absl::Duration DuplicateWindow(const v1::Queue& queue);
  // The window a queue's quota counts jobs in; zero without a quota.
  static absl::Duration QuotaPeriod(const v1::Queue& queue);
  // How long duplicate keys must be kept: the longest window of any queue.
  absl::Duration LongestDuplicateWindowLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Job `id` (null if not active) once no write of it is in flight; may
  // release mu_ while it waits.
  const v1::Job* SettledJobLocked(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `write` (a synced write of job `id`) with mu_ released; the job
  // counts as settling meanwhile.
  absl::Status WriteSettlingLocked(uint64_t id, const std::function<absl::Status()>& write)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The job's record once no synced write of it is in flight.
  absl::StatusOr<const v1::Job*> ActiveJobLocked(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Lists active jobs after `cursor` into `response` (at most `page` jobs,
  // looking at no more than a bounded number); true when they are done.
  bool ListActiveLocked(const v1::ListJobsRequest& request, size_t page, ListCursor& cursor,
                        v1::ListJobsResponse& response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The same for history, newest first; never under mu_.
  absl::StatusOr<bool> ListFinished(const v1::ListJobsRequest& request, size_t page,
                                    ListCursor& cursor, v1::ListJobsResponse& response)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Deletes history older than --history, a batch at a time; never under mu_.
  void PurgeHistory() ABSL_LOCKS_EXCLUDED(mu_);
  // Reads recently finished jobs back into the quota and retry indexes.
  absl::Status LoadRecentHistoryLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexSubmissionLocked(const v1::Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Recounts the quota window of `queue`, e.g. after its quota was set.
  absl::Status RebuildQuotaIndexLocked(const v1::Queue& queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Persists `updated` (replacing the active record), and moves it to
  // history if its state is final (deleting its data). A synced write
  // releases mu_ while it runs (WriteSettlingLocked): callers must find
  // again anything they looked up before.
  absl::Status UpdateJobLocked(v1::Job updated, bool sync) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The in-memory half of UpdateJobLocked, once `updated` is stored.
  void ApplyJobLocked(v1::Job updated) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a PRINTING job as completed (`updated`); releases mu_ during
  // the synced write. False if the write failed (the job is requeued).
  bool CompleteJobLocked(v1::Job updated) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends job `id` in `state`; a PRINTING job's attempt ends with
  // `attempt_outcome` when given.
  absl::StatusOr<v1::Job> FinishJobLocked(uint64_t id, v1::JobState state,
                                          const std::string& error,
                                          const char* attempt_outcome = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A lost or failed attempt: back to PENDING with backoff, or FAILED.
  // How a failed attempt goes back to the queue. By default as retry-job:
  // after the queue's retry interval (or the doubling default backoff), and
  // FAILED once the queue's retry limit (or --max_attempts) is reached.
  struct Retry {
    bool limited = true;       // may end in FAILED
    bool backoff = true;       // waits before it may print again
    std::string only_printer;  // retry-current-job: pinned to this printer
  };
  void RequeueLocked(uint64_t id, const std::string& error, const Retry& retry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RequeueLocked(uint64_t id, const std::string& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    RequeueLocked(id, error, Retry{});
  }
  void ScheduleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Leases pending jobs to idle printers, or (`ahead`) to busy printers as
  // the job they print next.
  void AssignJobsLocked(bool ahead) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Puts the bytes of `job`'s inline documents into `assign` (they are
  // small: at most SpoolerOptions::inline_job_bytes in all).
  void AttachInlineDocuments(const v1::Job& job, v1::AssignJob* assign) const;
  // Ends the reservation of a job sent ahead (still PENDING); the agent is
  // told to drop it.
  void ReturnLeaseLocked(AgentConnection& agent, PrinterSlot& slot, uint64_t id,
                         const std::string& reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The job sent ahead became the slot's current job: it is PRINTING now.
  void PromoteLocked(AgentConnection& agent, PrinterSlot& slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the reservation of job `id`, wherever it was sent ahead.
  void UnreserveLocked(uint64_t id, const std::string& reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ReservedLocked(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Leases PENDING job `id` to `slot` as its current job (PRINTING).
  absl::StatusOr<v1::Job> StartLeaseLocked(AgentConnection& agent, PrinterSlot& slot, uint64_t id,
                                           absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  PrinterSlot* SlotForJobLocked(uint64_t job_id, AgentConnection** agent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndAttemptLocked(v1::Job& job, const std::string& outcome, const std::string& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RefreshGaugesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The part of Housekeep that needs mu_ (which it takes).
  void HousekeepUnderLock() ABSL_LOCKS_EXCLUDED(mu_);
  void HousekeepingLoop();

  const SpoolerOptions options_;
  std::vector<net::Cidr> admin_ranges_;
  std::unique_ptr<JobStore> store_;
  const SpoolFiles spool_files_;
  std::unique_ptr<SpoolerMetrics> metrics_;  // may be null

  // Lock order: config_store_mu_, then mu_. Neither is held across a
  // synced write except config_store_mu_, which orders settings writes.
  absl::Mutex config_store_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, QueueState> queues_ ABSL_GUARDED_BY(mu_);
  // Every committed job not yet final: PENDING, HELD, PRINTING.
  ActiveJobs active_ ABSL_GUARDED_BY(mu_);
  // Jobs whose record is being written without mu_ (WriteSettlingLocked).
  absl::flat_hash_set<uint64_t> settling_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<AgentConnection>> agents_ ABSL_GUARDED_BY(mu_);
  uint64_t assignments_ ABSL_GUARDED_BY(mu_) = 0;  // for printer rotation
  std::set<std::string> exported_printers_ ABSL_GUARDED_BY(mu_);  // in spoolgate_printer_state
  // Printers stopped by an admin or an error policy: "agent/printer" -> the
  // status shown while stopped. Mirrors the store.
  std::map<std::string, v1::PrinterStatus> stopped_printers_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<AccountingLog> accounting_log_;  // null without --accounting_log
  // The index of recent submissions behind quotas: (queue, user) -> jobs
  // committed (or committing) within the queue's quota period, oldest
  // first; queues without a quota have none.
  struct RecentJob {
    absl::Time at;
    uint64_t bytes;
    uint64_t id;
  };
  std::map<std::pair<std::string, std::string>, std::deque<RecentJob>> recent_
      ABSL_GUARDED_BY(mu_);
  absl::Time last_accounting_purge_ ABSL_GUARDED_BY(mu_);
  DuplicateIndex duplicates_ ABSL_GUARDED_BY(mu_);

  absl::Notification stop_housekeeping_;
  std::thread housekeeping_;
};

}  // namespace spoolgate::spooler
