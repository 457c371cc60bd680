// The device backends, one class per URI scheme, and the pure helpers they
// use (IEEE 1284 device IDs, parallel port status bits).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "lib/base/direct_appender.h"
#include "lib/base/write_behind.h"
#include "services/printer-agent/device.h"
#include "services/printer-agent/devices/fd_io.h"

namespace spoolgate::agent {

// dir: one file per job named by its id. Output goes to ".<id>.part" and is
// renamed (after fsync) only when complete, so a reader never sees half a job.
class DirDevice : public Device {
 public:
  DirDevice(std::string dir, DeviceOptions options);
  absl::Status Probe() override;
  absl::Status BeginJob(uint64_t job_id) override;
  absl::Status Write(absl::string_view data) override;
  absl::Status EndJob() override;
  absl::StatusOr<std::optional<Finish>> EndJobDeferred() override;
  void AbortJob() override;

 private:
  struct Written;
  static void SyncDirectory(const std::string& dir);
  // Moves the current job's file out of the device.
  std::unique_ptr<Written> TakeWritten();

  std::string dir_;
  DeviceOptions options_;
  UniqueFd fd_;
  std::string part_, final_;
  WriteBehind write_behind_;  // one per job's file
  uint64_t written_ = 0;      // bytes of this job's file
  // A big job's file continues past its first bytes without the page
  // cache (see DirectAppender); destroyed before fd_.
  std::unique_ptr<DirectAppender> direct_;
};

// A device that is an fd opened per job: Probe opens and closes it, writes
// are bounded by the write timeout, the job ends by closing it.
class FdDevice : public Device {
 public:
  absl::Status Probe() override { return Open().status(); }
  absl::Status BeginJob(uint64_t job_id) override;
  absl::Status Write(absl::string_view data) override;
  absl::Status EndJob() override;
  void AbortJob() override { fd_.reset(); }

 protected:
  explicit FdDevice(DeviceOptions options) : options_(options) {}
  // Opens (or connects) the device, non-blocking, ready for writing.
  virtual absl::StatusOr<UniqueFd> Open() = 0;
  // The LPGETSTATUS condition of the open fd (usb: and parallel:).
  std::optional<DeviceCondition> LpCondition();

  DeviceOptions options_;
  UniqueFd fd_;  // open while a job is printing
};

// file: appends to a file, FIFO or character device.
class FileDevice : public FdDevice {
 public:
  FileDevice(std::string path, DeviceOptions options) : FdDevice(options), path_(std::move(path)) {}
  absl::Status Probe() override;
  absl::Status EndJob() override;  // fsync when it is a regular file

 protected:
  absl::StatusOr<UniqueFd> Open() override;

 private:
  std::string path_;
};

// socket://host:port, AppSocket/JetDirect: one TCP connection per job.
class SocketDevice : public FdDevice {
 public:
  SocketDevice(std::string host, int port, DeviceOptions options)
      : FdDevice(options), host_(std::move(host)), port_(port) {}
  absl::Status EndJob() override;  // half-close, wait for the printer to close
  void AbortJob() override;        // reset, so the printer drops the partial job

 protected:
  absl::StatusOr<UniqueFd> Open() override;  // connects

 private:
  std::string host_;
  int port_;
};

// usb: USB printer class (usblp), by path or by the device ID's serial/model.
class UsbDevice : public FdDevice {
 public:
  UsbDevice(DeviceUri uri, DeviceOptions options) : FdDevice(options), uri_(std::move(uri)) {}
  std::string device_id() const override { return device_id_; }
  // usblp answers LPGETSTATUS with the printer's 1284 status byte.
  std::optional<DeviceCondition> Condition() override { return LpCondition(); }

 protected:
  // Opens the configured device (finding it by selector), reads its ID.
  absl::StatusOr<UniqueFd> Open() override;

 private:
  DeviceUri uri_;
  std::string device_id_;
};

// parallel: IEEE 1284 port via the lp driver; status via LPGETSTATUS.
class ParallelDevice : public FdDevice {
 public:
  ParallelDevice(std::string path, DeviceOptions options)
      : FdDevice(options), path_(std::move(path)) {}
  std::optional<DeviceCondition> Condition() override { return LpCondition(); }

 protected:
  absl::StatusOr<UniqueFd> Open() override;  // refuses paper out, offline, error

 private:
  std::string path_;
};

// "MFG:HP;MDL:LaserJet M404;SN:X1;" -> {MFG: HP, MDL: ..., SN: X1}; the
// long key names (MANUFACTURER, MODEL, SERIALNUMBER/SERN) are folded to
// MFG, MDL and SN.
std::map<std::string, std::string> ParseDeviceId(absl::string_view id);

// True if the 1284 ID matches the usb: URI's serial/model selector.
bool DeviceIdMatches(absl::string_view id, const DeviceUri& uri);

// LPGETSTATUS bits -> OK, or FailedPrecondition("paper out" / "offline" /
// "printer error").
absl::Status DecodeParallelStatus(int status);

// LPGETSTATUS bits -> MEDIA_EMPTY ("paper out"), OFFLINE ("offline"), ERROR
// ("printer error") or IDLE, in that order of precedence.
DeviceCondition ConditionFromLpStatus(int status);

// LPGETSTATUS of an open fd, by ioctl.
absl::StatusOr<int> ReadLpStatus(int fd);

}  // namespace spoolgate::agent
