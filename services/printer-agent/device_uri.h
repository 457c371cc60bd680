// Device URIs (docs/operations.md, "printer-agent"), parsed. Pure.
//   usb:/dev/usb/lp0            usb:?serial=X1234   usb:?model=LaserJet%20M404
//   parallel:/dev/lp0           socket://192.0.2.10:9100 (port defaults to 9100)
//   file:/path                  dir:/path
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace spoolgate::agent {

struct DeviceUri {
  enum class Scheme { kUsb, kParallel, kSocket, kFile, kDir };
  Scheme scheme;
  std::string path;    // usb (when given), parallel, file, dir
  std::string host;    // socket; IPv6 literals without brackets
  int port = 9100;     // socket
  std::string serial;  // usb: pick the device whose IEEE 1284 ID has this SN
  std::string model;   // usb: ... or this MDL (case-insensitive)
};

absl::StatusOr<DeviceUri> ParseDeviceUri(absl::string_view uri);

}  // namespace spoolgate::agent
