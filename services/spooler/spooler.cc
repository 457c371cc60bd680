#include "services/spooler/spooler.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "services/spooler/recovery.h"

namespace spoolgate::spooler {

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
  SpoolerState& state = spooler->state_;
  state.admin_ranges = *std::move(ranges);
  if (!state.options.accounting_log.empty()) {
    SPOOLGATE_ASSIGN_OR_RETURN(state.accounting_log, AccountingLog::Open(state.options.accounting_log));
  }
  {
    absl::MutexLock lock(&state.mu);
    SPOOLGATE_RETURN_IF_ERROR(spooler->LoadLocked(std::move(report.active)));
    SPOOLGATE_RETURN_IF_ERROR(spooler->RemoveUnnamedSpoolFilesLocked());
    spooler->housekeeper_.RefreshGaugesLocked();
    Log("%d unfinished job(s) loaded in %s", state.active.size(),
        absl::FormatDuration(absl::Now() - load_start));
  }
  spooler->housekeeper_.Start();
  return spooler;
}

Spooler::Spooler(SpoolerOptions options, std::unique_ptr<JobStore> store, SpoolFiles spool_files,
                 std::unique_ptr<SpoolerMetrics> metrics)
    : state_(std::move(options), std::move(store), std::move(spool_files), std::move(metrics)) {}

Spooler::~Spooler() {
  Shutdown();
  housekeeper_.Stop();
}

absl::Status Spooler::LoadLocked(std::vector<v1::Job> active) {
  SPOOLGATE_ASSIGN_OR_RETURN(state_.stopped_printers, state_.store->ListStoppedPrinters());
  SPOOLGATE_ASSIGN_OR_RETURN(auto stored_queues, state_.store->ListQueues());
  for (auto& q : stored_queues) state_.queues[q.name()].queue = q;
  for (const auto& q : state_.options.queues) {
    if (state_.queues.count(q.name())) continue;  // state set by spoolctl wins
    SPOOLGATE_RETURN_IF_ERROR(state_.store->PutQueue(q));
    state_.queues[q.name()].queue = q;
    Log("queue %s created (accepting=%s enabled=%s)", q.name(), q.accepting() ? "yes" : "no",
        q.enabled() ? "yes" : "no");
  }
  // Only jobs not yet final: history is read back just as far as the
  // quota and retry windows reach.
  for (v1::Job& job : active) {
    intake_.IndexSubmissionLocked(job);
    state_.active.Put(std::move(job));
  }
  active.clear();
  SPOOLGATE_RETURN_IF_ERROR(intake_.LoadRecentHistoryLocked());
  for (auto& [_, recent] : state_.recent) {
    std::sort(recent.begin(), recent.end(),
              [](const RecentJob& a, const RecentJob& b) { return a.at < b.at; });
  }
  return absl::OkStatus();
}

absl::Status Spooler::RemoveUnnamedSpoolFilesLocked() {
  // Files of jobs never committed, or of jobs whose end was written but
  // whose files were not yet unlinked, when the spooler stopped.
  absl::flat_hash_set<std::string> named;
  state_.active.ForEach([&](const v1::Job& job) {
    for (const auto& doc : job.documents()) {
      if (doc.storage() == v1::DOCUMENT_STORAGE_SPOOL_FILE) named.insert(doc.spool_file());
    }
  });
  SPOOLGATE_ASSIGN_OR_RETURN(int removed, state_.spool_files.RemoveAllExcept(named));
  if (removed > 0) Log("removed %d spool file(s) that no job names", removed);
  return absl::OkStatus();
}

void Spooler::Shutdown() {
  std::vector<std::shared_ptr<AgentConnection>> agents;
  {
    absl::MutexLock lock(&state_.mu);
    if (state_.shutting_down) return;
    state_.shutting_down = true;
    for (const auto& attached : state_.agents) agents.push_back(attached.link);
  }
  for (auto& agent : agents) agent->Close();
}

}  // namespace spoolgate::spooler
