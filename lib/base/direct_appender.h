// Appends to a file opened with O_DIRECT: bytes are gathered in page-aligned
// buffers, a background thread writes each full buffer while the caller
// fills the next one, and another flushes the disk's cache as the file
// grows. A file that fits in one buffer starts no thread: Sync writes it.
//
// The buffers come from a pool with a limit (AlignedBuffers). Past it, an
// appender does with less: without a first buffer of the size asked for,
// it works with two small ones (kSmallBufferBytes) of its own; a large
// buffer without a second one is written by the caller itself. Slower,
// but many files written at once do not each hold two large buffers.
//
// Why: on a virtual machine a buffered write costs the CPU a copy into
// page-cache pages that often have never been touched (each first touch is
// a fault to the hypervisor); measured on the target machine, 512 MiB
// written through the page cache took 0.9 s of CPU, with O_DIRECT 0.05 s at
// 800-1,100 MB/s. Spool data is read once, by the printer, so the page cache
// gains nothing from it.
//
// The file is written with pwrite, so it must not be opened with O_APPEND.
// Sync() writes the partial last buffer padded to the alignment, truncates
// the file to its real size and calls fdatasync; the padding is rewritten
// by later appends. If the file system refuses O_DIRECT writes (EINVAL),
// the flag is dropped and the same buffers go through the page cache.
//
// Not thread safe: one caller thread (plus the appender's own threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/aligned_buffers.h"

namespace spoolgate {

class DirectAppender {
 public:
  static constexpr size_t kAlignment = 4096;
  // `n` rounded up to a multiple of kAlignment.
  static constexpr uint64_t AlignUp(uint64_t n) {
    return (n + kAlignment - 1) / kAlignment * kAlignment;
  }
  static constexpr size_t kDefaultBufferBytes = 4 << 20;
  // The buffer of an appender that found its pool at the limit.
  static constexpr size_t kSmallBufferBytes = 512 << 10;
  // A disk with a write cache (a virtual disk's host page cache) holds what
  // was written until a flush; flushing as the file grows, beside the
  // writes, keeps the final Sync (which a client's acknowledgement waits
  // for) short.
  static constexpr uint64_t kFlushEveryBytes = 32 << 20;

  // `fd` (not owned) is an empty file open for writing; `name` is used in
  // error messages. `buffer_bytes` must be a multiple of kAlignment.
  // `pool` (not owned) must outlive the appender.
  DirectAppender(int fd, std::string name, size_t buffer_bytes = kDefaultBufferBytes,
                 AlignedBuffers& pool = AlignedBuffers::ForDirectIo());
  // Continues a file that already holds `size` bytes (written through the
  // page cache; the fd must also be open for reading). Appends start there.
  static absl::StatusOr<std::unique_ptr<DirectAppender>> Continue(
      int fd, std::string name, uint64_t size, size_t buffer_bytes = kDefaultBufferBytes,
      AlignedBuffers& pool = AlignedBuffers::ForDirectIo());
  // Waits for a write in progress; bytes not yet synced may be lost (a
  // full buffer not yet written is dropped).
  ~DirectAppender();
  DirectAppender(const DirectAppender&) = delete;
  DirectAppender& operator=(const DirectAppender&) = delete;

  uint64_t size() const { return offset_ + fill_; }
  // The size of the buffers: as asked for, or kSmallBufferBytes.
  size_t buffer_bytes() const { return buffer_bytes_; }
  // Copies `data` into the current buffer; returns the error of an earlier
  // background write or flush, if any.
  absl::Status Append(absl::string_view data);
  // Whether Append(`bytes` bytes) may wait for the disk: it hands off a
  // full buffer while the previous one is still being written, or it
  // writes a full buffer itself (no second buffer to be had). False means
  // it only copies.
  bool AppendMayWait(size_t bytes);
  // Every byte appended so far is on disk, and the file has exactly size()
  // bytes.
  absl::Status Sync();

 private:
  using Buffer = AlignedBuffers::Buffer;

  // Whether there is a second buffer: taken from the pool now if need be.
  bool ReserveSpareLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The threads, at the first hand-off with a second buffer.
  void StartWriting() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the writer thread runs, started now if a second buffer is to
  // be had; false means the caller writes full buffers itself.
  bool HasWriter() ABSL_LOCKS_EXCLUDED(mu_);
  // Hands the full current buffer to the writer thread, or writes it here.
  absl::Status HandOff();
  // Writes the full current buffer on the caller's thread, and flushes as
  // the flusher thread would.
  absl::Status WriteHere();
  // Waits until the writer thread is idle; returns the first error.
  absl::Status WaitIdle();
  void WriterLoop();
  void FlusherLoop();
  // pwrite of `bytes` (a multiple of kAlignment) at `offset`.
  absl::Status WriteAt(const char* data, size_t bytes, uint64_t offset);

  const int fd_;
  const std::string name_;
  AlignedBuffers& pool_;
  size_t buffer_bytes_;  // set once, by the constructor
  Buffer current_;       // filled by Append: file bytes [offset_, offset_ + fill_)
  uint64_t offset_ = 0;  // a multiple of kAlignment
  size_t fill_ = 0;

  absl::Mutex mu_;
  // The buffer the writer thread owns; null until a hand-off finds one.
  Buffer spare_ ABSL_GUARDED_BY(mu_);
  bool pending_ ABSL_GUARDED_BY(mu_) = false;  // spare_ holds a full buffer to write
  uint64_t pending_offset_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // end of the last buffer written
  uint64_t flushed_ ABSL_GUARDED_BY(mu_) = 0;  // written_ as of the last flush started
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::thread writer_;   // started with the first hand-off
  std::thread flusher_;  // likewise
};

}  // namespace spoolgate
