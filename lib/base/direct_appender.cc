#include "lib/base/direct_appender.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/base/file_io.h"

namespace spoolgate {
DirectAppender::DirectAppender(int fd, std::string name, size_t buffer_bytes,
                               AlignedBuffers& pool)
    : fd_(fd), name_(std::move(name)), pool_(pool), buffer_bytes_(buffer_bytes),
      current_(pool.TryTake(buffer_bytes)) {
  if (!current_) {
    buffer_bytes_ = std::min(buffer_bytes, kSmallBufferBytes);
    current_ = pool.Take(buffer_bytes_);
  }
}

bool DirectAppender::ReserveSpareLocked() {
  if (!spare_) spare_ = pool_.TryTake(buffer_bytes_);
  // A small buffer's spare costs little, and writing it here would make
  // the caller wait for the disk every kSmallBufferBytes.
  if (!spare_ && buffer_bytes_ <= kSmallBufferBytes) spare_ = pool_.Take(buffer_bytes_);
  return spare_ != nullptr;
}

void DirectAppender::StartWriting() {
  writer_ = std::thread([this] { WriterLoop(); });
  flusher_ = std::thread([this] { FlusherLoop(); });
}

absl::StatusOr<std::unique_ptr<DirectAppender>> DirectAppender::Continue(int fd, std::string name,
                                                                         uint64_t size,
                                                                         size_t buffer_bytes,
                                                                         AlignedBuffers& pool) {
  auto appender = std::make_unique<DirectAppender>(fd, std::move(name), buffer_bytes, pool);
  // The buffer starts at the last aligned offset, holding the bytes of the
  // file's partial last block, which the next write rewrites whole.
  uint64_t start = size / kAlignment * kAlignment;
  size_t head = static_cast<size_t>(size - start);
  size_t got = 0;
  while (got < head) {
    ssize_t n = ::pread(fd, appender->current_.get() + got, head - got, static_cast<off_t>(start + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return FileError(n < 0 ? errno : EIO, absl::StrCat("read back ", appender->name_));
    got += static_cast<size_t>(n);
  }
  // Not fatal: without O_DIRECT the same writes go through the page cache.
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_DIRECT);
  appender->offset_ = start;
  appender->fill_ = head;
  {
    absl::MutexLock lock(&appender->mu_);
    appender->written_ = appender->flushed_ = start;
  }
  return appender;
}

DirectAppender::~DirectAppender() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (writer_.joinable()) writer_.join();
  if (flusher_.joinable()) flusher_.join();
}

absl::Status DirectAppender::Append(absl::string_view data) {
  while (!data.empty()) {
    // A full buffer is handed off only when more bytes come: a file that
    // fills one exactly is written by Sync, without the writer threads.
    if (fill_ == buffer_bytes_) {
      if (auto s = HandOff(); !s.ok()) return s;
    }
    size_t n = std::min(data.size(), buffer_bytes_ - fill_);
    std::memcpy(current_.get() + fill_, data.data(), n);
    fill_ += n;
    data.remove_prefix(n);
  }
  return absl::OkStatus();
}

bool DirectAppender::AppendMayWait(size_t bytes) {
  if (fill_ + bytes <= buffer_bytes_) return false;    // no hand-off
  if (fill_ + bytes > 2 * buffer_bytes_) return true;  // two: the second waits
  // Only this thread sets pending_, so a writer found idle stays idle.
  absl::MutexLock lock(&mu_);
  // A second buffer reserved now is the one the hand-off will use.
  if (!writer_.joinable()) return !ReserveSpareLocked();
  return pending_;
}

bool DirectAppender::HasWriter() {
  absl::MutexLock lock(&mu_);
  if (writer_.joinable()) return true;
  if (!ReserveSpareLocked()) return false;
  StartWriting();
  return true;
}

absl::Status DirectAppender::HandOff() {
  if (!HasWriter()) return WriteHere();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+[](bool* pending) { return !*pending; }, &pending_));
  if (!error_.ok()) return error_;
  std::swap(current_, spare_);
  pending_ = true;
  pending_offset_ = offset_;
  offset_ += buffer_bytes_;
  fill_ = 0;
  return absl::OkStatus();
}

absl::Status DirectAppender::WriteHere() {
  if (auto s = WriteAt(current_.get(), buffer_bytes_, offset_); !s.ok()) return s;
  offset_ += buffer_bytes_;
  fill_ = 0;
  bool flush;
  {
    absl::MutexLock lock(&mu_);
    written_ = offset_;
    flush = written_ - flushed_ >= kFlushEveryBytes;
    if (flush) flushed_ = written_;
  }
  if (flush && ::fdatasync(fd_) != 0) return FileError(errno, absl::StrCat("fdatasync ", name_));
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
    // Stopping: a buffer not yet written is dropped, as unsynced bytes may be.
    if (stop_) return;
    // spare_ belongs to this thread until pending_ is cleared.
    const char* data = spare_.get();
    uint64_t offset = pending_offset_;
    mu_.Unlock();
    absl::Status written = WriteAt(data, buffer_bytes_, offset);
    mu_.Lock();
    if (error_.ok()) error_ = written;
    if (written.ok()) written_ = offset + buffer_bytes_;
    pending_ = false;
  }
}

void DirectAppender::FlusherLoop() {
  auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || written_ - flushed_ >= kFlushEveryBytes;
  };
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(&has_work));
    if (stop_) return;
    flushed_ = written_;
    mu_.Unlock();
    int result = ::fdatasync(fd_);
    int e = errno;
    mu_.Lock();
    if (result != 0 && error_.ok()) error_ = FileError(e, absl::StrCat("fdatasync ", name_));
  }
}

absl::Status DirectAppender::WriteAt(const char* data, size_t bytes, uint64_t offset) {
  while (bytes > 0) {
    ssize_t n = ::pwrite(fd_, data, bytes, static_cast<off_t>(offset));
    if (n < 0) {
      int e = errno;
      if (e == EINTR) continue;
      // A file system that takes no O_DIRECT writes: go through the page cache.
      if (e == EINVAL && ClearDirectIo(fd_)) continue;
      return FileError(e, absl::StrCat("write ", name_));
    }
    data += n;
    bytes -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status DirectAppender::Sync() {
  if (auto s = WaitIdle(); !s.ok()) return s;
  if (fill_ > 0) {
    // The partial buffer goes out in whole blocks; the zero padding is cut
    // off by the truncate and overwritten by later appends.
    size_t padded = static_cast<size_t>(AlignUp(fill_));
    std::memset(current_.get() + fill_, 0, padded - fill_);
    if (auto s = WriteAt(current_.get(), padded, offset_); !s.ok()) return s;
  }
  if (::ftruncate(fd_, static_cast<off_t>(size())) != 0) return FileError(errno, absl::StrCat("truncate ", name_));
  if (::fdatasync(fd_) != 0) return FileError(errno, absl::StrCat("fdatasync ", name_));
  absl::MutexLock lock(&mu_);
  return error_;  // a flush that failed meanwhile
}

}  // namespace spoolgate
