// Page-aligned buffers for direct I/O, kept for reuse when given back, and
// limited in total.
//
// Why keep them: a buffer of a few MiB comes from mmap, and each of its
// pages faults in on first touch and is unmapped again on free. On a
// virtual machine a page fault is expensive: copying a 1 MiB document into
// a fresh 4 MiB buffer cost the spooler more CPU than everything else it
// did for the document. A buffer taken from here was touched by an earlier
// user.
//
// Why a limit: each upload to the spooler holds buffers while it lasts, so
// without one, memory grows with the number of uploads at once (eight
// uploads of 16 MiB peaked the spooler at 96-115 MiB). Buffers that only make
// things faster (a second buffer to fill while the first is written, a
// read ahead) are taken with TryTake, which refuses past the limit; the
// caller then does without. Buffers that work needs are taken with Take.
//
// Thread-safe. A buffer given back is kept while the pool's buffers, in use
// and kept, stay within the limit; the rest are freed. Memory in a kept
// buffer stays resident: that is the point.
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
    GiveBack() = default;  // for an empty Buffer only
    GiveBack(AlignedBuffers* pool, size_t bytes) : pool_(pool), bytes_(bytes) {}
    void operator()(char* data) const;

   private:
    AlignedBuffers* pool_ = nullptr;
    size_t bytes_ = 0;
  };
  using Buffer = std::unique_ptr<char, GiveBack>;

  // `max_bytes`: the most the buffers may hold, in use and kept together,
  // for TryTake to give one more. Buffers are page-aligned.
  explicit AlignedBuffers(size_t max_bytes) : max_bytes_(max_bytes) {}
  ~AlignedBuffers();
  AlignedBuffers(const AlignedBuffers&) = delete;
  AlignedBuffers& operator=(const AlignedBuffers&) = delete;

  // The process's pool for direct I/O: at most
  // kDirectIoBytes (the 2-4 MiB buffers of spool files, their reads and
  // big printer jobs: four big uploads at once with both their 2 MiB
  // buffers, and a printer's read with its read ahead, 4 MiB each).
  // A kept buffer was allocated while in use, so keeping it adds to the
  // peak RSS only if other memory peaks later; only its touched pages are
  // resident. Never destroyed, so buffers may be given back at any time.
  static constexpr size_t kDirectIoBytes = 24 << 20;
  static AlignedBuffers& ForDirectIo();

  // A buffer of at least `bytes` (a multiple of the page size),
  // uninitialised: the smallest kept one that is large enough, else a new
  // one of `bytes`, even past the limit.
  Buffer Take(size_t bytes);
  // Like Take, but null when a new buffer would take the pool past its
  // limit. Kept buffers too small for the request are freed to make room.
  Buffer TryTake(size_t bytes);

  size_t kept_bytes() const {
    absl::MutexLock lock(&mu_);
    return kept_bytes_;
  }
  size_t in_use_bytes() const {
    absl::MutexLock lock(&mu_);
    return in_use_bytes_;
  }

 private:
  // Moves the smallest kept buffer of at least `bytes` to the ones in use.
  Buffer TakeKeptLocked(size_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Buffer Allocate(size_t bytes);
  void GiveBackBuffer(char* data, size_t bytes);

  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  std::vector<std::pair<size_t, char*>> kept_ ABSL_GUARDED_BY(mu_);  // (bytes, data)
  size_t kept_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  size_t in_use_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // taken and not given back
};

}  // namespace spoolgate
