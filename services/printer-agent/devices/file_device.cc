#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "services/printer-agent/devices/devices.h"

namespace spoolgate::agent {

absl::StatusOr<UniqueFd> FileDevice::Open() {
  // O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of
  // hanging, and writes to a stuck device are bounded by poll().
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    if (errno == ENXIO) return absl::UnavailableError(absl::StrCat(path_, ": no reader"));
    return DeviceError(errno, path_);
  }
  return fd;
}

absl::Status FileDevice::Probe() {
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
    auto fd = Open();
    return fd.status();
  }
  std::string dir = path_.substr(0, path_.find_last_of('/') + 1);
  if (::access(dir.empty() ? "/" : dir.c_str(), W_OK) != 0) return DeviceError(errno, dir);
  return absl::OkStatus();
}

absl::Status FileDevice::EndJob() {
  struct stat st;
  if (::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd_.get()) != 0) {
    return DeviceError(errno, "fsync " + path_);
  }
  fd_.reset();
  return absl::OkStatus();
}

}  // namespace spoolgate::agent
