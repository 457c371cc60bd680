// The names printer states go by wherever people see them: spoolctl, lpq,
// FTP STAT and LIST, metric labels ("idle", "media-empty", ...). Pure.
#pragma once

#include <string>
#include <vector>

#include "spoolgate/v1/dispatch.pb.h"

namespace spoolgate {

// "idle", "printing", "stalled", "media-empty", "offline", "error",
// "stopped"; "unknown" for anything else.
std::string PrinterStateLabel(v1::PrinterState state);

// Every state that has a label, in the order above.
const std::vector<v1::PrinterState>& AllPrinterStates();

// True for the states in which a printer takes no new job.
bool PrinterUnavailable(v1::PrinterState state);

// One line for people: "stalled since 10:02:11: no data taken for 60s".
std::string DescribePrinter(const v1::PrinterStatus& status);

}  // namespace spoolgate
