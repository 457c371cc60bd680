#include "lib/base/write_behind.h"

#include <fcntl.h>

#include <cerrno>

namespace spoolgate {

namespace {

// Errors that say the file cannot be paced (a pipe, a file system without
// the call), as opposed to write-back that failed.
bool Unsupported(int error) { return error == ESPIPE || error == EINVAL || error == EOPNOTSUPP; }

}  // namespace

absl::Status WriteBehind::Appended(int fd, uint64_t bytes) {
  size_ += bytes;
  if (unsupported_ || size_ < handed_ + window_) return absl::OkStatus();
  int result = ::sync_file_range(fd, static_cast<off_t>(handed_), static_cast<off_t>(size_ - handed_),
                                 SYNC_FILE_RANGE_WRITE);
  if (result == 0 && handed_ > written_) {
    result = ::sync_file_range(fd, static_cast<off_t>(written_), static_cast<off_t>(handed_ - written_),
                               SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                   SYNC_FILE_RANGE_WAIT_AFTER);
  }
  if (result != 0) {
    if (Unsupported(errno)) {
      unsupported_ = true;  // the final sync alone then does the work
      return absl::OkStatus();
    }
    return absl::ErrnoToStatus(errno, "sync_file_range");
  }
  written_ = handed_;
  handed_ = size_;
  return absl::OkStatus();
}

}  // namespace spoolgate
