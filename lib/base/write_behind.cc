#include "lib/base/write_behind.h"

#include <fcntl.h>

#include <cerrno>

namespace spoolgate {

absl::Status WriteBehind::Appended(int fd, uint64_t size) {
  if (size < handed_ + window_) return absl::OkStatus();
  if (::sync_file_range(fd, static_cast<off_t>(handed_), static_cast<off_t>(size - handed_),
                        SYNC_FILE_RANGE_WRITE) != 0) {
    return absl::ErrnoToStatus(errno, "sync_file_range");
  }
  if (handed_ > written_ &&
      ::sync_file_range(fd, static_cast<off_t>(written_), static_cast<off_t>(handed_ - written_),
                        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                            SYNC_FILE_RANGE_WAIT_AFTER) != 0) {
    return absl::ErrnoToStatus(errno, "sync_file_range");
  }
  written_ = handed_;
  handed_ = size;
  return absl::OkStatus();
}

}  // namespace spoolgate
