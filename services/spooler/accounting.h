// Job accounting: one record per finished job, kept by the spooler in its
// database (for the Admin API, by finish time) and appended to an optional
// JSON-lines log for other tools (--accounting_log).
//
// Thread safety: AccountingLog's methods may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/unique_fd.h"
#include "spoolgate/v1/admin.pb.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

// The record of a job in a final state. Pure.
v1::AccountingRecord AccountingRecordFor(const v1::Job& job);

// One JSON object (protobuf's JSON names), no line break. Pure.
std::string AccountingJsonLine(const v1::AccountingRecord& record);

// An append-only file of JSON lines. Add() only queues a line (cheap, for
// callers that hold the spooler's lock); Flush() writes what is queued in
// one write and one fdatasync (the spooler's housekeeping thread, about once
// a second, and at shutdown). The database holds the durable record; the
// file is its export. Reopen() after logrotate renamed it (SIGHUP).
class AccountingLog {
 public:
  static absl::StatusOr<std::unique_ptr<AccountingLog>> Open(const std::string& path);
  void Add(const v1::AccountingRecord& record);
  absl::Status Flush();
  // Flushes into the old file, then opens the path anew.
  absl::Status Reopen();
  // Add() then Flush().
  absl::Status Append(const v1::AccountingRecord& record);

 private:
  explicit AccountingLog(std::string path) : path_(std::move(path)) {}
  absl::Status OpenLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  const std::string path_;
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(queue_mu_);  // held across file I/O
  UniqueFd fd_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex queue_mu_;  // never held across I/O
  std::string pending_ ABSL_GUARDED_BY(queue_mu_);
};

}  // namespace spoolgate::spooler
