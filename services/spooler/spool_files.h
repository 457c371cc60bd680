// The spool directory: one file per large document, so bulk job data is
// written once (not through RocksDB's WAL and then again at flush).
//
// A file is created with a synced directory entry, appended to, and
// fdatasync'ed before the job that names it is committed; the job record in
// RocksDB stays the only commit point. Files that no committed job names are
// removed at start (RemoveAllExcept).
//
// Thread safety: SpoolFiles is immutable after Open (its read-ahead pool is
// thread-safe); a Writer belongs to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/direct_appender.h"
#include "lib/base/checksum.h"
#include "lib/base/task_pool.h"
#include "lib/base/unique_fd.h"

namespace spoolgate::spooler {

class SpoolFiles {
 public:
  // Creates `dir` if missing.
  static absl::StatusOr<SpoolFiles> Open(std::string dir);

  // The file name of a job's document ("<job>-<document>.spool").
  static std::string NameFor(uint64_t job_id, uint32_t document);

  class Writer {
   public:
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    const std::string& name() const { return name_; }
    uint64_t size() const { return appender_.size(); }
    absl::Status Append(absl::string_view data);
    // Whether Append(`bytes` bytes) may wait for the disk.
    bool AppendMayWait(size_t bytes) { return appender_.AppendMayWait(bytes); }
    // Appended bytes may wait in the writer's buffer: a reader sees them
    // once Sync() returned.
    // fdatasync: every byte appended so far is on disk.
    absl::Status Sync();
    // The checksum of every byte appended ("<algorithm>:<hex>"). Call
    // once, after the last Sync().
    std::string FinishChecksum() { return checksum_.Finish(); }

   private:
    friend class SpoolFiles;
    Writer(std::string name, UniqueFd fd, ChecksumAlgorithm checksum);
    std::string name_;
    UniqueFd fd_;
    uint64_t synced_ = 0;  // size() as of the last Sync
    Checksum checksum_;    // of every byte appended
    // Bypasses the page cache where the file system allows it; declared
    // after fd_, so its threads end before the fd closes.
    DirectAppender appender_;
  };

  // Creates (or truncates) the file and makes its directory entry durable.
  absl::StatusOr<std::unique_ptr<Writer>> Create(uint64_t job_id, uint32_t document,
                                                 ChecksumAlgorithm checksum) const;
  // Streams the file from `offset` in blocks of at most `block_bytes`; `fn`
  // gets the file offset of each block and may stop the read by returning
  // false. An open file stays readable if it is removed meanwhile.
  absl::Status Read(const std::string& name, uint64_t offset, size_t block_bytes,
                    const std::function<bool(uint64_t, absl::string_view)>& fn) const;
  // Unlinks the file; a missing file is not an error. Not synced: a name
  // that survives a crash is an orphan, removed at the next start.
  absl::Status Remove(const std::string& name) const;
  // Removes every file whose name is not in `keep`; returns how many.
  absl::StatusOr<int> RemoveAllExcept(const absl::flat_hash_set<std::string>& keep) const;

  const std::string& dir() const { return dir_; }

 private:
  explicit SpoolFiles(std::string dir)
      : dir_(std::move(dir)), read_ahead_(std::make_shared<TaskPool>()) {}
  std::string PathOf(absl::string_view name) const;

  std::string dir_;
  // Reads the next block while the current one is sent (shared by copies).
  std::shared_ptr<TaskPool> read_ahead_;
};

}  // namespace spoolgate::spooler
