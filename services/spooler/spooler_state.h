// What the parts of the spooler share: its options, the store, the spool
// files, metrics, and the in-memory view of queues, jobs and agents under
// one mutex. The parts (Intake, Dispatcher, AdminOps, Housekeeper, with
// JobRecords and Printers beneath them) each hold a reference to one
// SpoolerState, owned by Spooler, which outlives them all.
//
// Locking: `mu` guards the view. It is never held across a synced write:
// job records are written with it released (JobRecords), settings under
// `config_store_mu` only. Lock order: config_store_mu, then mu.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/base/checksum.h"
#include "lib/net/cidr.h"
#include "services/spooler/accounting.h"
#include "services/spooler/active_jobs.h"
#include "services/spooler/agent_connection.h"
#include "services/spooler/duplicate_index.h"
#include "services/spooler/job_store.h"
#include "services/spooler/spool_files.h"
#include "services/spooler/spooler_metrics.h"
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
  ChecksumAlgorithm document_checksum = ChecksumAlgorithm::kXxh3_128;
  std::string accounting_log;  // JSON-lines file, one line per finished job; empty = none
  absl::Duration accounting_retention = absl::Hours(24 * 90);  // records kept in the database
  // Run Housekeep() on a background thread at this period; zero = never
  // (tests call Housekeep themselves).
  absl::Duration housekeeping_period = absl::Seconds(1);
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

struct QueueState {
  v1::Queue queue;
  uint32_t receiving = 0;  // jobs of this queue being received
};

// A submission counted by a queue's quota.
struct RecentJob {
  absl::Time at;
  uint64_t bytes;
  uint64_t id;
};

// An attached agent and its printers. The printers are part of the
// spooler's view, guarded like the rest of it by SpoolerState::mu; the
// connection only carries messages (and has a lock of its own for that).
struct AttachedAgent {
  std::shared_ptr<AgentConnection> link;
  std::vector<PrinterSlot> printers;
};

struct SpoolerState {
  SpoolerState(SpoolerOptions options_in, std::unique_ptr<JobStore> store_in,
               SpoolFiles spool_files_in, std::unique_ptr<SpoolerMetrics> metrics_in)
      : options(std::move(options_in)), store(std::move(store_in)),
        spool_files(std::move(spool_files_in)), metrics(std::move(metrics_in)) {}

  const SpoolerOptions options;
  std::vector<net::Cidr> admin_ranges;  // set at open, then read-only
  const std::unique_ptr<JobStore> store;
  const SpoolFiles spool_files;
  const std::unique_ptr<SpoolerMetrics> metrics;  // may be null
  std::unique_ptr<AccountingLog> accounting_log;  // null without --accounting_log; set at open

  absl::Mutex config_store_mu ABSL_ACQUIRED_BEFORE(mu);
  absl::Mutex mu;
  bool shutting_down ABSL_GUARDED_BY(mu) = false;
  std::map<std::string, QueueState> queues ABSL_GUARDED_BY(mu);
  // Every committed job not yet final: PENDING, HELD, PRINTING.
  ActiveJobs active ABSL_GUARDED_BY(mu);
  // Jobs whose record is being written without mu (JobRecords).
  absl::flat_hash_set<uint64_t> settling ABSL_GUARDED_BY(mu);
  // A list: an entry stays put while others come and go, so a reference to
  // it lasts while mu is released (its own agent's stream removes it).
  std::list<AttachedAgent> agents ABSL_GUARDED_BY(mu);
  uint64_t assignments ABSL_GUARDED_BY(mu) = 0;  // for printer rotation
  // The last AssignJob.lease handed out. A new lease is at least the
  // current time in microseconds, so that leases keep increasing across
  // restarts and a report from before a restart never matches one of this
  // run.
  uint64_t last_lease ABSL_GUARDED_BY(mu) = 0;
  std::set<std::string> exported_printers ABSL_GUARDED_BY(mu);  // in spoolgate_printer_state
  // Printers stopped by an admin or an error policy: "agent/printer" -> the
  // status shown while stopped. Mirrors the store.
  std::map<std::string, v1::PrinterStatus> stopped_printers ABSL_GUARDED_BY(mu);
  // The index behind quotas: (queue, user) -> jobs committed (or
  // committing) within the queue's quota period, oldest first; queues
  // without a quota have none.
  std::map<std::pair<std::string, std::string>, std::deque<RecentJob>> recent ABSL_GUARDED_BY(mu);
  absl::Time last_accounting_purge ABSL_GUARDED_BY(mu);
  DuplicateIndex duplicates ABSL_GUARDED_BY(mu);
};

// Job priorities run 0..kMaxPriority (LPRng's A..Z).
inline constexpr int kMaxPriority = 25;

inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// Queue names: [A-Za-z0-9_.-]{1,64}, safe in file names and page tokens.
inline bool ValidQueueName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "agent/printer": how people and the stopped-printer records name a printer.
inline std::string PrinterLabel(const AgentConnection& agent, const PrinterSlot& slot) {
  return absl::StrCat(agent.agent_id(), "/", slot.status.name());
}

}  // namespace spoolgate::spooler
