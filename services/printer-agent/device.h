// A printer device, as the agent drives it, and the outcome of a failed
// attempt (the CUPS backend exit codes: ok, retry the job later, hold the
// job, stop the printer, cancel the job).
//
// Not thread safe: one printer worker owns its Device.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/printer-agent/device_uri.h"

namespace spoolgate::agent {

enum class Outcome {
  kOk,
  kRetryJob,     // device missing, offline, stalled, out of paper: job back to the queue
  kHoldJob,      // the job itself is the problem (unreadable): hold it for an admin
  kStopPrinter,  // configuration or permission problem: no point retrying soon
  kCancelJob,    // the spooler no longer wants the job
};

// Which outcome a device or job error calls for.
Outcome OutcomeFor(const absl::Status& status);

class Device {
 public:
  virtual ~Device() = default;
  // Checks that the device is present and ready without printing anything.
  // Unavailable / FailedPrecondition say why not ("paper out", "no reader").
  virtual absl::Status Probe() = 0;
  // Starts a job's output.
  virtual absl::Status BeginJob(uint64_t job_id) = 0;
  // Writes all of `data` or fails; every wait is bounded by the write timeout.
  virtual absl::Status Write(absl::string_view data) = 0;
  // Completes the job's output (flush, fsync, publish).
  virtual absl::Status EndJob() = 0;
  // Drops the current job's output as far as the device allows.
  virtual void AbortJob() = 0;
  // IEEE 1284 device ID, when the device reports one.
  virtual std::string device_id() const { return ""; }
};

struct DeviceOptions {
  absl::Duration write_timeout = absl::Seconds(60);   // one write making no progress
  absl::Duration connect_timeout = absl::Seconds(10); // socket:
  std::string usb_dir = "/dev/usb";                   // where usb: selectors look
};

absl::StatusOr<std::unique_ptr<Device>> MakeDevice(const DeviceUri& uri,
                                                   const DeviceOptions& options);

}  // namespace spoolgate::agent
