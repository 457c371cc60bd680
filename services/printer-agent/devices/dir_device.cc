#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/printer-agent/devices/devices.h"

namespace spoolgate::agent {

DirDevice::DirDevice(std::string dir, DeviceOptions options)
    : dir_(std::move(dir)), options_(options) {
  // Parts left by a killed agent are never complete jobs: remove them.
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, ".") && absl::EndsWith(name, ".part")) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

absl::Status DirDevice::Probe() {
  struct stat st;
  if (::stat(dir_.c_str(), &st) != 0) return DeviceError(errno, dir_);
  if (!S_ISDIR(st.st_mode)) return absl::FailedPreconditionError(absl::StrCat(dir_, " is not a directory"));
  if (::access(dir_.c_str(), W_OK) != 0) return DeviceError(errno, dir_);
  return absl::OkStatus();
}

absl::Status DirDevice::BeginJob(uint64_t job_id) {
  final_ = absl::StrCat(dir_, "/", job_id);
  part_ = absl::StrCat(dir_, "/.", job_id, ".part");
  fd_ = UniqueFd(::open(part_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd_.valid()) return DeviceError(errno, part_);
  write_behind_ = WriteBehind();
  return absl::OkStatus();
}

absl::Status DirDevice::Write(absl::string_view data) {
  if (auto s = WriteAll(fd_.get(), data, options_.write_timeout, stall_hook_); !s.ok()) return s;
  // A big job's fsync at the end then finds little left to write.
  return write_behind_.Appended(fd_.get(), data.size());
}

absl::Status DirDevice::EndJob() {
  if (::fsync(fd_.get()) != 0) return DeviceError(errno, "fsync " + part_);
  fd_.reset();
  if (::rename(part_.c_str(), final_.c_str()) != 0) return DeviceError(errno, "rename " + part_);
  UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  return absl::OkStatus();
}

void DirDevice::AbortJob() {
  fd_.reset();
  if (!part_.empty()) ::unlink(part_.c_str());
}

}  // namespace spoolgate::agent
