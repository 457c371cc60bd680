// Durable storage of jobs, queues and job data in one RocksDB (docs/design.md,
// "Storage"). Every method that an acknowledgement depends on takes or
// implies a synced write: RocksDB's WAL is fsync'ed before it returns.
//
// Jobs not yet final live in one family, read whole at start; final jobs
// (history) live in another, with an index by finish time for the purge and
// for listings newest first, so that start-up and scheduling never read
// history.
//
// Thread safety: all methods may be called concurrently (RocksDB is
// internally synchronised).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "spoolgate/v1/admin.pb.h"
#include "spoolgate/v1/dispatch.pb.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

class JobStore {
 public:
  struct Options {
    std::string path;                       // directory, created if missing
    size_t data_write_buffer_bytes = 4 << 20;  // memtable size for job data
    size_t id_reservation_block = 1024;     // ids reserved per synced write
  };

  static absl::StatusOr<std::unique_ptr<JobStore>> Open(const Options& options);
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  // A fresh job id, strictly greater than every id handed out before, also
  // across restarts and crashes (ids are reserved in synced blocks).
  absl::StatusOr<uint64_t> AllocateJobId();

  // Writes `job`, replacing `previous` (the record it replaces, or nullptr
  // for a new job). A job entering a final state moves to history and gets
  // its accounting record in the same atomic batch; with `delete_data` its
  // data is removed there too. `sync`: fsync before return.
  absl::Status PutJob(const v1::Job* previous, const v1::Job& job, bool sync,
                      bool delete_data = false);
  // Writes a newly committed job (no earlier record) together with the
  // bytes of its INLINE documents, in one synced batch.
  struct InlineDocument {
    uint32_t index;
    std::string data;
  };
  absl::Status CommitJob(const v1::Job& job, const std::vector<InlineDocument>& documents);
  // Removes a job's record and (unless it is final, whose data went with its
  // final state) its data atomically. Spool files are the caller's.
  absl::Status DeleteJob(const v1::Job& job, bool sync);
  // A job not yet final or in history.
  absl::StatusOr<v1::Job> GetJob(uint64_t job_id) const;
  // Calls `fn` for every job not yet final, in id order; stops early if it
  // returns false. Reads no history.
  absl::Status ForEachActiveJob(const std::function<bool(v1::Job)>& fn) const;
  // Calls `fn` for jobs in history, newest first, starting with those that
  // finished before (`before_micros`, `before_id`) (0, 0 = the newest) and
  // not before `since_micros`. Stops early if `fn` returns false.
  absl::Status ForEachFinishedJob(int64_t before_micros, uint64_t before_id, int64_t since_micros,
                                  const std::function<bool(const v1::Job&)>& fn) const;
  // Deletes up to `limit` history records that finished before `before`,
  // oldest first, unsynced (losing a purge to a crash only delays it).
  // Returns how many went.
  absl::StatusOr<size_t> PurgeHistory(absl::Time before, size_t limit);

  // Job data kept in RocksDB (INLINE documents, and CHUNKS of older
  // records). Chunks are written unsynced; SyncData() makes every chunk
  // written so far durable (one WAL fsync covers them all).
  absl::Status PutChunk(uint64_t job_id, uint32_t document, uint64_t offset,
                        absl::string_view data);
  absl::Status SyncData();
  // Streams a document from `offset` in stored chunks; `fn` gets the
  // document offset of its first byte. Stops early if `fn` returns false.
  absl::Status ReadDocument(
      uint64_t job_id, uint32_t document, uint64_t offset,
      const std::function<bool(uint64_t offset, absl::string_view data)>& fn) const;
  // Job ids that have data but no record (left by a crash mid-receive):
  // by `has_record` when given, else by looking the record up.
  absl::StatusOr<std::vector<uint64_t>> OrphanDataJobIds(
      const std::function<bool(uint64_t)>& has_record = nullptr) const;
  absl::Status DeleteJobData(uint64_t job_id, bool sync);

  // Queues.
  absl::Status PutQueue(const v1::Queue& queue);  // synced
  absl::Status DeleteQueue(absl::string_view name);  // synced
  absl::StatusOr<std::vector<v1::Queue>> ListQueues() const;

  // Printers stopped by an admin or by an error policy ("agent/printer" ->
  // the status to show while stopped). Synced.
  absl::Status PutStoppedPrinter(const std::string& name, const v1::PrinterStatus& status);
  absl::Status DeleteStoppedPrinter(const std::string& name);
  absl::StatusOr<std::map<std::string, v1::PrinterStatus>> ListStoppedPrinters() const;

  // Accounting records, keyed by finish time (then job id); PutJob writes a
  // job's record with its final state.
  // Records finished in [since, until), oldest first, at most `limit` (0 = all).
  absl::StatusOr<std::vector<v1::AccountingRecord>> ListAccounting(absl::Time since, absl::Time until,
                                                                   size_t limit) const;
  // Deletes the records finished before `before`.
  absl::Status PurgeAccounting(absl::Time before);

  // After a write failed for lack of disk space (or another I/O error),
  // RocksDB refuses all writes until it is resumed. Tries that (cheap if
  // nothing failed): true if writes work again, false if none had failed,
  // an error while they still cannot.
  absl::StatusOr<bool> ResumeWrites();
  // Whether a write failed since the last successful ResumeWrites().
  bool writes_failed() const { return write_failed_.load(); }

  // Approximate bytes on disk per column family ("jobs", "job_data", ...).
  std::vector<std::pair<std::string, uint64_t>> ApproximateSizes() const;
  const std::string& path() const { return path_; }

 private:
  JobStore() = default;
  // Converts a store of an older layout (see kStoreLayout).
  absl::Status ConvertLayout();
  // Adds `job`'s record, its queue-index move from `previous`, its
  // accounting record if it just ended and (`delete_data`) the deletion of
  // its data to `batch`: what PutJob and CommitJob write.
  absl::Status AddJobToBatch(const v1::Job* previous, const v1::Job& job, bool delete_data,
                             rocksdb::WriteBatch* batch) const;
  // Adds the deletion of `job`'s data kept in RocksDB to `batch`.
  void DeleteDataOf(const v1::Job& job, rocksdb::WriteBatch* batch) const;
  rocksdb::ColumnFamilyHandle* family(int index) const { return handles_[index]; }
  // FromRocks for a write: notes a failure that stops RocksDB's writes.
  absl::Status Written(const rocksdb::Status& s, absl::string_view what);

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_
  size_t id_block_ = 1024;
  std::atomic<bool> write_failed_{false};
  std::mutex id_mu_;
  uint64_t next_id_ = 1;         // guarded by id_mu_
  uint64_t reserved_until_ = 1;  // guarded by id_mu_; ids < this are reserved on disk
};

}  // namespace spoolgate::spooler
