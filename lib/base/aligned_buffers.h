// Page-aligned buffers for direct I/O, kept for reuse when given back.
//
// Why: a buffer of a few MiB comes from mmap, and each of its pages faults
// in on first touch and is unmapped again on free. On a virtual machine a
// page fault is expensive: copying a 1 MiB document into a fresh 4 MiB
// buffer cost the spooler more CPU than everything else it did for the
// document. A buffer taken from here was touched by an earlier user.
//
// Thread-safe. Buffers of any size may be taken; given back, a buffer is
// kept only while the kept bytes stay within the pool's limit (the rest
// are freed), so the pool never holds more than that limit beyond what is
// in use. Memory in a kept buffer stays resident: that is the point.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace spoolgate {

class AlignedBuffers {
 public:
  // Gives the buffer back to its pool when the owner is done with it.
  class GiveBack {
   public:
    GiveBack() = default;
    GiveBack(AlignedBuffers* pool, size_t bytes) : pool_(pool), bytes_(bytes) {}
    void operator()(char* data) const;

   private:
    AlignedBuffers* pool_ = nullptr;
    size_t bytes_ = 0;
  };
  using Buffer = std::unique_ptr<char, GiveBack>;

  AlignedBuffers(size_t alignment, size_t max_kept_bytes)
      : alignment_(alignment), max_kept_bytes_(max_kept_bytes) {}
  ~AlignedBuffers();
  AlignedBuffers(const AlignedBuffers&) = delete;
  AlignedBuffers& operator=(const AlignedBuffers&) = delete;

  // The process's pool for direct I/O: 4 KiB alignment, keeps up to 32 MiB
  // (the 2-4 MiB buffers of spool files, their reads and big printer jobs:
  // four big uploads at once and a printer's read hold ten). A kept buffer
  // was allocated while in use, so keeping it adds to the peak RSS only if
  // other memory peaks later; only its touched pages are resident.
  // Never destroyed, so buffers may be given back at any time.
  static AlignedBuffers& ForDirectIo();

  // A buffer of at least `bytes` (a multiple of the alignment),
  // uninitialised: the smallest kept one that is large enough, else a new
  // one of `bytes`.
  Buffer Take(size_t bytes);

  size_t kept_bytes() const {
    absl::MutexLock lock(&mu_);
    return kept_bytes_;
  }

 private:
  void Keep(char* data, size_t bytes);

  const size_t alignment_;
  const size_t max_kept_bytes_;
  mutable absl::Mutex mu_;
  std::vector<std::pair<size_t, char*>> kept_ ABSL_GUARDED_BY(mu_);  // (bytes, data)
  size_t kept_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace spoolgate
