#include "lib/model/printer_state.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace spoolgate {

std::string PrinterStateLabel(v1::PrinterState state) {
  switch (state) {
    case v1::PRINTER_STATE_IDLE: return "idle";
    case v1::PRINTER_STATE_PRINTING: return "printing";
    case v1::PRINTER_STATE_STALLED: return "stalled";
    case v1::PRINTER_STATE_MEDIA_EMPTY: return "media-empty";
    case v1::PRINTER_STATE_OFFLINE: return "offline";
    case v1::PRINTER_STATE_ERROR: return "error";
    case v1::PRINTER_STATE_STOPPED: return "stopped";
    default: return "unknown";
  }
}

const std::vector<v1::PrinterState>& AllPrinterStates() {
  static const auto* states = new std::vector<v1::PrinterState>{
      v1::PRINTER_STATE_IDLE,        v1::PRINTER_STATE_PRINTING, v1::PRINTER_STATE_STALLED,
      v1::PRINTER_STATE_MEDIA_EMPTY, v1::PRINTER_STATE_OFFLINE,  v1::PRINTER_STATE_ERROR,
      v1::PRINTER_STATE_STOPPED};
  return *states;
}

bool PrinterUnavailable(v1::PrinterState state) {
  return state != v1::PRINTER_STATE_IDLE && state != v1::PRINTER_STATE_PRINTING;
}

std::string DescribePrinter(const v1::PrinterStatus& status) {
  std::string out = PrinterStateLabel(status.state());
  if (status.state_since_unix_micros() != 0) {
    absl::StrAppend(&out, " since ",
                    absl::FormatTime("%Y-%m-%d %H:%M:%S",
                                     absl::FromUnixMicros(status.state_since_unix_micros()),
                                     absl::LocalTimeZone()));
  }
  if (!status.state_reason().empty()) absl::StrAppend(&out, ": ", status.state_reason());
  return out;
}

}  // namespace spoolgate
