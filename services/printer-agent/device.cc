#include "services/printer-agent/device.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

#include "services/printer-agent/devices/devices.h"

namespace spoolgate::agent {

Outcome OutcomeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return Outcome::kOk;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kInvalidArgument:
      return Outcome::kStopPrinter;
    case absl::StatusCode::kDataLoss:
      return Outcome::kHoldJob;
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kCancelled:
      return Outcome::kCancelJob;
    default:
      // Unavailable, DeadlineExceeded, FailedPrecondition (paper out,
      // offline), ResourceExhausted: the device may be fine again later.
      return Outcome::kRetryJob;
  }
}

DeviceCondition ConditionForFailure(const absl::Status& status) {
  std::string reason(status.message());
  std::string lower = absl::AsciiStrToLower(reason);
  if (absl::StrContains(lower, "paper out")) return {v1::PRINTER_STATE_MEDIA_EMPTY, reason};
  if (status.code() == absl::StatusCode::kNotFound || absl::StrContains(lower, "offline") ||
      absl::StrContains(lower, "refused") || absl::StrContains(lower, "reset") ||
      absl::StrContains(lower, "unreachable") || absl::StrContains(lower, "went away")) {
    return {v1::PRINTER_STATE_OFFLINE, reason};
  }
  return {v1::PRINTER_STATE_ERROR, reason};
}

absl::StatusOr<std::unique_ptr<Device>> MakeDevice(const DeviceUri& uri,
                                                   const DeviceOptions& options) {
  switch (uri.scheme) {
    case DeviceUri::Scheme::kDir:
      return std::make_unique<DirDevice>(uri.path, options);
    case DeviceUri::Scheme::kFile:
      return std::make_unique<FileDevice>(uri.path, options);
    case DeviceUri::Scheme::kSocket:
      return std::make_unique<SocketDevice>(uri.host, uri.port, options);
    case DeviceUri::Scheme::kUsb:
      return std::make_unique<UsbDevice>(uri, options);
    case DeviceUri::Scheme::kParallel:
      return std::make_unique<ParallelDevice>(uri.path, options);
  }
  return absl::InvalidArgumentError("unknown device scheme");
}

}  // namespace spoolgate::agent
