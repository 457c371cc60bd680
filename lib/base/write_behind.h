// Paces the kernel's write-back of a file that is being appended to, so that
// a final fdatasync finds little left to write.
//
// Page cache lets a fast writer pile up gigabytes of dirty pages; the sync
// that makes them durable then takes as long as writing them did. Syncing
// every few MiB instead (fdatasync) also flushes the disk's cache each time,
// which on a virtual disk costs more than the writing. This hands each
// window of appended bytes to write-back without waiting (sync_file_range)
// and waits only for the window before it, so at most two windows are dirty
// and the writer rarely blocks. It makes nothing durable by itself: the
// caller still ends with fdatasync/fsync.
//
// Not thread safe; one per open file.
#pragma once

#include <cstdint>

#include "absl/status/status.h"

namespace spoolgate {

class WriteBehind {
 public:
  static constexpr uint64_t kDefaultWindowBytes = 8 << 20;

  explicit WriteBehind(uint64_t window_bytes = kDefaultWindowBytes) : window_(window_bytes) {}

  // Tells it that `bytes` more were appended to `fd` (written from offset 0
  // on, through this file's one WriteBehind).
  // Returns an error status (with errno's code) if write-back failed. A
  // file that cannot be paced (a pipe, a file system without
  // sync_file_range) is left alone from then on.
  absl::Status Appended(int fd, uint64_t bytes);

 private:
  uint64_t window_;
  uint64_t size_ = 0;     // bytes appended so far
  uint64_t handed_ = 0;   // bytes handed to write-back
  uint64_t written_ = 0;  // bytes whose write-back was waited for
  bool unsupported_ = false;
};

}  // namespace spoolgate
