#include <fcntl.h>
#include <linux/lp.h>
#include <sys/ioctl.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "services/printer-agent/devices/devices.h"

namespace spoolgate::agent {

absl::Status DecodeParallelStatus(int status) {
  // LP_PERRORP and LP_PSELECD are active high "no error" / "selected".
  if (status & LP_POUTPA) return absl::FailedPreconditionError("paper out");
  if (!(status & LP_PSELECD)) return absl::FailedPreconditionError("offline");
  if (!(status & LP_PERRORP)) return absl::FailedPreconditionError("printer error");
  return absl::OkStatus();
}

DeviceCondition ConditionFromLpStatus(int status) {
  if (status & LP_POUTPA) return {v1::PRINTER_STATE_MEDIA_EMPTY, "paper out"};
  if (!(status & LP_PSELECD)) return {v1::PRINTER_STATE_OFFLINE, "offline"};
  if (!(status & LP_PERRORP)) return {v1::PRINTER_STATE_ERROR, "printer error"};
  return {v1::PRINTER_STATE_IDLE, ""};
}

absl::StatusOr<int> ReadLpStatus(int fd) {
  int status = 0;
  if (::ioctl(fd, LPGETSTATUS, &status) < 0) return DeviceError(errno, "LPGETSTATUS");
  return status;
}

std::optional<DeviceCondition> FdDevice::LpCondition() {
  if (!fd_.valid()) return std::nullopt;
  auto status = options_.read_lp_status ? options_.read_lp_status(fd_.get()) : ReadLpStatus(fd_.get());
  if (!status.ok()) return std::nullopt;
  return ConditionFromLpStatus(*status);
}

absl::StatusOr<UniqueFd> ParallelDevice::Open() {
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return DeviceError(errno, path_);
  int status = 0;
  if (::ioctl(fd.get(), LPGETSTATUS, &status) == 0) {
    auto s = DecodeParallelStatus(status);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat(path_, ": ", s.message()));
  }
  return fd;
}

}  // namespace spoolgate::agent
