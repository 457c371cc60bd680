// A printer device, as the agent drives it, and the outcome of a failed
// attempt (the CUPS backend exit codes: ok, retry the job later, hold the
// job, stop the printer, cancel the job).
//
// Not thread safe: one printer worker owns its Device.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/printer-agent/device_uri.h"
#include "spoolgate/v1/dispatch.pb.h"

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

// What a device says about itself: IDLE when all is well, else
// MEDIA_EMPTY, OFFLINE or ERROR with a reason.
struct DeviceCondition {
  v1::PrinterState state = v1::PRINTER_STATE_IDLE;
  std::string reason;
};

// The printer state a failed device operation leaves: MEDIA_EMPTY for paper
// out, OFFLINE for an offline device, a missing one, or a refused, reset or
// unreachable connection; ERROR otherwise. The reason is the status message.
DeviceCondition ConditionForFailure(const absl::Status& status);

// Called about once a second while a write waits for a device that takes no
// data, with how long it has taken none. A non-OK return ends the write with
// that status (a cancelled job); OK keeps waiting.
using StallHook = std::function<absl::Status(absl::Duration stalled_for)>;

class Device {
 public:
  virtual ~Device() = default;
  // Checks that the device is present and ready without printing anything.
  // Unavailable / FailedPrecondition say why not ("paper out", "no reader").
  virtual absl::Status Probe() = 0;
  // Starts a job's output.
  virtual absl::Status BeginJob(uint64_t job_id) = 0;
  // Writes all of `data` or fails. A device that takes no data is waited
  // for as long as the stall hook says (without a hook: the write timeout);
  // a device that goes away fails the write.
  virtual absl::Status Write(absl::string_view data) = 0;
  // Completes the job's output (flush, fsync, publish).
  virtual absl::Status EndJob() = 0;
  // The last steps of a job's output, run later on another thread.
  struct Finish {
    // Makes the output complete under its final name (fsync, rename); a
    // failure leaves no output behind.
    std::function<absl::Status()> publish;
    // Makes what publish did durable (the directory's fsync), or null. One
    // call covers every publish of the device that returned before it, so
    // jobs published one after another share it.
    std::function<void()> sync;
  };
  // Like EndJob, for a device whose slow last steps (making a file durable
  // and publishing it) need nothing of the device any more: they are
  // returned, and the device can begin the next job while they run.
  // Returns nullopt where the job was completed here (every device but
  // dir:).
  virtual absl::StatusOr<std::optional<Finish>> EndJobDeferred() {
    if (auto s = EndJob(); !s.ok()) return s;
    return std::nullopt;
  }
  // Drops the current job's output as far as the device allows.
  virtual void AbortJob() = 0;
  // IEEE 1284 device ID, when the device reports one.
  virtual std::string device_id() const { return ""; }
  // The device's own status where it has one (LPGETSTATUS on usb: and
  // parallel: while a job is open); nullopt where it has none.
  virtual std::optional<DeviceCondition> Condition() { return std::nullopt; }

  void set_stall_hook(StallHook hook) { stall_hook_ = std::move(hook); }

 protected:
  StallHook stall_hook_;
};

struct DeviceOptions {
  absl::Duration write_timeout = absl::Seconds(60);   // one write making no progress
  absl::Duration connect_timeout = absl::Seconds(10); // socket:
  std::string usb_dir = "/dev/usb";                   // where usb: selectors look
  // Reads the LPGETSTATUS byte of an open usb:/parallel: fd (replaced in tests).
  std::function<absl::StatusOr<int>(int fd)> read_lp_status;
};

absl::StatusOr<std::unique_ptr<Device>> MakeDevice(const DeviceUri& uri,
                                                   const DeviceOptions& options);

}  // namespace spoolgate::agent
