#include "services/spooler/housekeeper.h"

#include <sys/statvfs.h>

#include <map>
#include <set>

#include "lib/model/printer_state.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "services/spooler/job_state.h"

namespace spoolgate::spooler {

namespace {
// History records deleted per write, and writes per housekeeping run.
constexpr size_t kPurgeBatch = 10000;
constexpr int kPurgeBatchesPerRun = 10;
}  // namespace

void Housekeeper::Housekeep() {
  ResumeStoreWrites();
  HousekeepUnderLock();
  PurgeHistory();
}

void Housekeeper::ResumeStoreWrites() {
  auto resumed = state_.store->ResumeWrites();
  if (resumed.ok() && *resumed) {
    Log("job store takes writes again");
    if (state_.metrics) state_.metrics->store_write_resumes.Increment();
    store_refusal_logged_ = false;
  } else if (!resumed.ok() && !store_refusal_logged_) {
    // Once per outage, not every period while the disk stays full.
    Log("job store refuses writes until space is freed: %s", resumed.status().ToString());
    store_refusal_logged_ = true;
  }
  if (state_.metrics) state_.metrics->store_writes_stopped.Set(state_.store->writes_failed() ? 1 : 0);
}

void Housekeeper::PurgeHistory() {
  absl::Time before = state_.options.clock() - state_.options.history;
  // Batches keep each write small; a day of history ending at once (a
  // shortened --history_seconds) goes over a few periods.
  for (int batch = 0; batch < kPurgeBatchesPerRun; ++batch) {
    auto purged = state_.store->PurgeHistory(before, kPurgeBatch);
    if (!purged.ok()) {
      Log("history purge: %s", purged.status().ToString());
      return;
    }
    if (*purged < kPurgeBatch) return;
  }
}

void Housekeeper::HousekeepUnderLock() {
  absl::MutexLock lock(&state_.mu);
  absl::Time now = state_.options.clock();
  state_.duplicates.Purge(now - intake_.LongestDuplicateWindowLocked());
  if (now - state_.last_accounting_purge > absl::Hours(1)) {
    state_.last_accounting_purge = now;
    if (auto s = state_.store->PurgeAccounting(now - state_.options.accounting_retention); !s.ok()) {
      Log("accounting purge: %s", s.ToString());
    }
  }
  dispatcher_.ExpireLeasesLocked(now);
  dispatcher_.ScheduleLocked();  // backoff periods may have ended
  RefreshGaugesLocked();
}

void Housekeeper::RefreshGaugesLocked() {
  if (!state_.metrics) return;
  std::map<std::pair<std::string, v1::JobState>, int> counts;
  for (const auto& [name, _] : state_.queues) {
    counts[{name, v1::JOB_STATE_RECEIVING}] = static_cast<int>(state_.queues[name].receiving);
  }
  for (const auto& [name, _] : state_.queues) {
    for (auto s : {v1::JOB_STATE_PENDING, v1::JOB_STATE_HELD, v1::JOB_STATE_PRINTING}) {
      counts[{name, s}] = static_cast<int>(state_.active.Count(name, s));
    }
  }
  // Every queue's counters exist from the start, at 0, so that rates and
  // alerts see "nothing happened" instead of "no data".
  for (const auto& [name, _] : state_.queues) {
    for (auto s : {v1::JOB_STATE_COMPLETED, v1::JOB_STATE_FAILED, v1::JOB_STATE_CANCELLED}) {
      state_.metrics->jobs_finished.Add({{"queue", name}, {"state", std::string(JobStateName(s))}});
    }
    state_.metrics->jobs_received.Add({{"queue", name}});
    state_.metrics->bytes_received.Add({{"queue", name}});
    state_.metrics->JobLatency(name);
  }
  for (const auto& [key, n] : counts) {
    state_.metrics->jobs.Add({{"queue", key.first}, {"state", std::string(JobStateName(key.second))}})
        .Set(n);
  }
  for (const auto& [family, bytes] : state_.store->ApproximateSizes()) {
    state_.metrics->store_bytes.Add({{"family", family}}).Set(static_cast<double>(bytes));
  }
  state_.metrics->agents.Set(static_cast<double>(state_.agents.size()));
  struct statvfs fs;
  if (statvfs(state_.options.data_dir.c_str(), &fs) == 0) {
    state_.metrics->disk_free_bytes.Set(static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
  }
  std::map<std::pair<std::string, std::string>, int> printers;
  for (const auto& [name, _] : state_.queues) {
    for (auto s : AllPrinterStates()) printers[{name, v1::PrinterState_Name(s)}] = 0;
  }
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (const auto& slot : attached.printers) {
      ++printers[{slot.status.queue(), v1::PrinterState_Name(printers_.EffectiveStatusLocked(*agent, slot).state())}];
    }
  }
  for (const auto& [key, n] : printers) {
    state_.metrics->printers.Add({{"queue", key.first}, {"state", key.second}}).Set(n);
  }
  // spoolgate_printer_state: a series per attached printer and state; a
  // printer that is gone loses its series.
  std::set<std::string> labels;
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (const auto& slot : attached.printers) {
      std::string label = PrinterLabel(*agent, slot);
      labels.insert(label);
      for (auto s : AllPrinterStates()) {
        state_.metrics->printer_state.Add({{"printer", label}, {"state", PrinterStateLabel(s)}})
            .Set(s == printers_.EffectiveStatusLocked(*agent, slot).state() ? 1 : 0);
      }
    }
  }
  for (const auto& label : state_.exported_printers) {
    if (labels.count(label)) continue;
    for (auto s : AllPrinterStates()) {
      auto& gauge = state_.metrics->printer_state.Add({{"printer", label}, {"state", PrinterStateLabel(s)}});
      state_.metrics->printer_state.Remove(&gauge);
    }
  }
  state_.exported_printers = std::move(labels);
}

void Housekeeper::Start() {
  if (state_.options.housekeeping_period <= absl::ZeroDuration() || thread_.joinable()) return;
  thread_ = std::thread([this] { HousekeepingLoop(); });
}

void Housekeeper::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
  FlushAccountingLog();
}

void Housekeeper::HousekeepingLoop() {
  while (!stop_.WaitForNotificationWithTimeout(state_.options.housekeeping_period)) {
    Housekeep();
    FlushAccountingLog();  // outside mu: one write and one sync for the lines of a period
  }
}

void Housekeeper::FlushAccountingLog() {
  if (!state_.accounting_log) return;
  if (auto s = state_.accounting_log->Flush(); !s.ok()) Log("%s", s.ToString());
}

}  // namespace spoolgate::spooler
