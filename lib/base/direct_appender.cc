#include "lib/base/direct_appender.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace spoolgate {
namespace {

absl::Status Errno(absl::string_view what, const std::string& name, int e) {
  std::string message = absl::StrCat(what, " ", name, ": ", std::strerror(e));
  if (e == ENOSPC || e == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::UnavailableError(message);
}

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

void DirectAppender::AlignedFree::operator()(char* p) const { std::free(p); }

DirectAppender::DirectAppender(int fd, std::string name, Observer observer, size_t buffer_bytes)
    : fd_(fd), name_(std::move(name)), buffer_bytes_(buffer_bytes), observer_(std::move(observer)) {
  current_.reset(static_cast<char*>(std::aligned_alloc(kAlignment, buffer_bytes_)));
  spare_.reset(static_cast<char*>(std::aligned_alloc(kAlignment, buffer_bytes_)));
  writer_ = std::thread([this] { WriterLoop(); });
}

DirectAppender::~DirectAppender() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  writer_.join();
}

absl::Status DirectAppender::Append(absl::string_view data) {
  while (!data.empty()) {
    size_t n = std::min(data.size(), buffer_bytes_ - fill_);
    std::memcpy(current_.get() + fill_, data.data(), n);
    fill_ += n;
    data.remove_prefix(n);
    if (fill_ == buffer_bytes_) {
      if (auto s = HandOff(); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status DirectAppender::HandOff() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+[](bool* pending) { return !*pending; }, &pending_));
  if (!error_.ok()) return error_;
  std::swap(current_, spare_);
  pending_ = true;
  pending_offset_ = offset_;
  pending_observed_ = observed_;
  offset_ += buffer_bytes_;
  fill_ = 0;
  observed_ = 0;
  return absl::OkStatus();
}

absl::Status DirectAppender::WaitIdle() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+[](bool* pending) { return !*pending; }, &pending_));
  return error_;
}

void DirectAppender::WriterLoop() {
  auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pending_ || stop_; };
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(&has_work));
    if (!pending_) return;  // stopping, nothing left to write
    // spare_ belongs to this thread until pending_ is cleared.
    const char* data = spare_.get();
    uint64_t offset = pending_offset_;
    size_t observed = pending_observed_;
    mu_.Unlock();
    if (observer_) observer_(absl::string_view(data + observed, buffer_bytes_ - observed));
    absl::Status written = WriteAt(data, buffer_bytes_, offset);
    // A disk with a write cache (a virtual disk's host page cache) holds
    // what was written until a flush; flushing as the file grows keeps the
    // final Sync, which the client's acknowledgement waits for, short.
    if (written.ok() && offset + buffer_bytes_ - synced_ >= kSyncEveryBytes) {
      if (::fdatasync(fd_) != 0) {
        written = Errno("fdatasync", name_, errno);
      } else {
        synced_ = offset + buffer_bytes_;
      }
    }
    mu_.Lock();
    if (error_.ok()) error_ = written;
    pending_ = false;
  }
}

absl::Status DirectAppender::WriteAt(const char* data, size_t bytes, uint64_t offset) {
  while (bytes > 0) {
    ssize_t n = ::pwrite(fd_, data, bytes, static_cast<off_t>(offset));
    if (n < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EINVAL && direct_.exchange(false)) {
        // This file system takes no O_DIRECT writes: go through the page cache.
        int flags = ::fcntl(fd_, F_GETFL);
        if (flags >= 0 && ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) == 0) continue;
        e = errno;
      }
      return Errno("write", name_, e);
    }
    data += n;
    bytes -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status DirectAppender::Sync() {
  if (auto s = WaitIdle(); !s.ok()) return s;
  if (observer_ && observed_ < fill_) {
    observer_(absl::string_view(current_.get() + observed_, fill_ - observed_));
  }
  observed_ = fill_;
  if (fill_ > 0) {
    // The partial buffer goes out whole blocks at a time; the zero padding
    // is cut off by the truncate and overwritten by later appends.
    size_t padded = RoundUp(fill_, kAlignment);
    std::memset(current_.get() + fill_, 0, padded - fill_);
    if (auto s = WriteAt(current_.get(), padded, offset_); !s.ok()) return s;
  }
  if (::ftruncate(fd_, static_cast<off_t>(size())) != 0) return Errno("truncate", name_, errno);
  if (::fdatasync(fd_) != 0) return Errno("fdatasync", name_, errno);
  return absl::OkStatus();
}

}  // namespace spoolgate
