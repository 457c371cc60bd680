// Printers as the spooler sees them: the status an agent reports, overlaid
// by a stop that an administrator or an error policy recorded.
//
// Thread safety: every method requires SpoolerState::mu.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/spooler/spooler_state.h"

namespace spoolgate::spooler {

class Printers {
 public:
  explicit Printers(SpoolerState& state) : state_(state) {}

  // The status people see: the agent's, or STOPPED while stopped here.
  v1::PrinterStatus EffectiveStatusLocked(const AgentConnection& agent, const PrinterSlot& slot)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // "agent/printer" for a full label or a unique printer name.
  absl::StatusOr<std::string> ResolvePrinterLocked(const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Stops printer `label` at once and records it (releasing mu meanwhile).
  absl::Status StopPrinterLocked(const std::string& label, const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);
  // Writes what memory holds for printer `label` (a stop, or none) to the
  // store, with mu released meanwhile.
  absl::Status PersistPrinterLocked(const std::string& label)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

 private:
  SpoolerState& state_;
};

}  // namespace spoolgate::spooler
