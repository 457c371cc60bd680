#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/printer-agent/devices/devices.h"

namespace spoolgate::agent {
namespace {
// Past this, a job's file is written with O_DIRECT: small jobs keep the
// page-cache path (no 4 MiB buffer), bigger ones save the copy into page
// cache, which on a virtual machine costs most of the CPU of printing them.
// A job of up to a few MiB needs no writer thread on that path either, so
// it pays from 1 MiB on: measured with 4 MiB jobs, the agent's CPU fell by
// 60 % against going direct only past 8 MiB, and by a fifth with 2 MiB jobs.
constexpr uint64_t kDirectFromBytes = 1 << 20;
}  // namespace

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

// A job is written under a hidden name and renamed, not made without a
// name (O_TMPFILE) and linked: a link raises the link count in the file's
// inode after the file's sync, and on a file system without a journal the
// directory's sync does not write that inode, so a synced name could point
// at a file whose inode still says it has none. Synced a second time, the
// unnamed file measured more disk writes per job than the rename.
absl::Status DirDevice::BeginJob(uint64_t job_id) {
  final_ = absl::StrCat(dir_, "/", job_id);
  part_ = absl::StrCat(dir_, "/.", job_id, ".part");
  direct_.reset();
  // Readable too: going direct reads back the partial last block.
  fd_ = UniqueFd(::open(part_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd_.valid()) return DeviceError(errno, part_);
  write_behind_ = WriteBehind();
  written_ = 0;
  return absl::OkStatus();
}

absl::Status DirDevice::Write(absl::string_view data) {
  // A local file system has no stalls for the hook to report; its errors
  // (a full disk) come back from the appender.
  if (direct_) return direct_->Append(data);
  if (auto s = WriteAll(fd_.get(), data, options_.write_timeout, stall_hook_); !s.ok()) return s;
  written_ += data.size();
  if (written_ >= kDirectFromBytes) {
    auto direct = DirectAppender::Continue(fd_.get(), part_, written_);
    if (!direct.ok()) return direct.status();
    direct_ = *std::move(direct);
    return absl::OkStatus();
  }
  // A big job's fsync at the end then finds little left to write.
  return write_behind_.Appended(fd_.get(), data.size());
}

// A job's file once all of it is written: what is left is to make it
// durable and give it its final name.
struct DirDevice::Written {
  std::string part, final_name;
  std::unique_ptr<DirectAppender> direct;  // destroyed before fd
  UniqueFd fd;

  // Publishes the file; a failure leaves no part file behind.
  absl::Status Publish() {
    absl::Status published = SyncAndRename();
    if (!published.ok()) {
      direct.reset();
      fd.reset();
      ::unlink(part.c_str());
    }
    return published;
  }

 private:
  absl::Status SyncAndRename() {
    if (direct) {
      absl::Status synced = direct->Sync();
      direct.reset();
      if (!synced.ok()) return synced;
    }
    if (::fsync(fd.get()) != 0) return DeviceError(errno, "fsync " + part);
    fd.reset();
    if (::rename(part.c_str(), final_name.c_str()) != 0) return DeviceError(errno, "rename " + part);
    return absl::OkStatus();
  }
};

void DirDevice::SyncDirectory(const std::string& dir) {
  // A rename is durable only once its directory is; one fsync covers every
  // rename made before it.
  UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.valid()) ::fsync(d.get());
}

std::unique_ptr<DirDevice::Written> DirDevice::TakeWritten() {
  auto written = std::make_unique<Written>();
  written->part = std::exchange(part_, "");
  written->final_name = std::move(final_);
  written->direct = std::move(direct_);
  written->fd = std::move(fd_);
  return written;
}

absl::Status DirDevice::EndJob() {
  if (auto s = TakeWritten()->Publish(); !s.ok()) return s;
  SyncDirectory(dir_);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Device::Finish>> DirDevice::EndJobDeferred() {
  std::shared_ptr<Written> written = TakeWritten();
  return Finish{.publish = [written] { return written->Publish(); },
                .sync = [dir = dir_] { SyncDirectory(dir); }};
}

void DirDevice::AbortJob() {
  direct_.reset();
  fd_.reset();
  if (!part_.empty()) ::unlink(part_.c_str());
}

}  // namespace spoolgate::agent
