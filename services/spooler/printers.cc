#include "services/spooler/printers.h"

#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/status_macros.h"
#include "services/spooler/job_state.h"

namespace spoolgate::spooler {

v1::PrinterStatus Printers::EffectiveStatusLocked(const AgentConnection& agent,
                                                 const PrinterSlot& slot) {
  auto it = state_.stopped_printers.find(PrinterLabel(agent, slot));
  if (it == state_.stopped_printers.end()) return slot.status;
  v1::PrinterStatus status = slot.status;
  status.set_state(v1::PRINTER_STATE_STOPPED);
  status.set_state_reason(it->second.state_reason());
  status.set_state_since_unix_micros(it->second.state_since_unix_micros());
  return status;
}

absl::StatusOr<std::string> Printers::ResolvePrinterLocked(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("give a printer name");
  if (absl::StrContains(name, "/")) return name;
  std::vector<std::string> matches;
  for (auto& attached : state_.agents) {
    const auto& agent = attached.link;
    for (const auto& slot : attached.printers) {
      if (slot.status.name() == name) matches.push_back(PrinterLabel(*agent, slot));
    }
  }
  if (matches.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("several agents have a printer ", name, "; say AGENT/", name));
  }
  if (matches.empty()) return absl::NotFoundError(absl::StrCat("no printer ", name, " is attached"));
  return matches[0];
}

absl::Status Printers::PersistPrinterLocked(const std::string& label) {
  state_.mu.Unlock();
  absl::Status s;
  {
    absl::MutexLock turn(&state_.config_store_mu);
    std::optional<v1::PrinterStatus> latest;
    {
      absl::MutexLock lock(&state_.mu);
      if (auto it = state_.stopped_printers.find(label); it != state_.stopped_printers.end()) latest = it->second;
    }
    s = latest ? state_.store->PutStoppedPrinter(label, *latest) : state_.store->DeleteStoppedPrinter(label);
  }
  state_.mu.Lock();
  return s;
}

absl::Status Printers::StopPrinterLocked(const std::string& label, const std::string& reason) {
  v1::PrinterStatus status;
  status.set_state(v1::PRINTER_STATE_STOPPED);
  status.set_state_reason(reason);
  status.set_state_since_unix_micros(Micros(state_.options.clock()));
  state_.stopped_printers[label] = status;  // in force at once, recorded next
  Log("printer %s stopped: %s", label, reason);
  return PersistPrinterLocked(label);
}

}  // namespace spoolgate::spooler
