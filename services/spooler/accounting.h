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

// An append-only file of JSON lines, synced after each line; Reopen() after
// logrotate renamed it (SIGHUP).
class AccountingLog {
 public:
  static absl::StatusOr<std::unique_ptr<AccountingLog>> Open(const std::string& path);
  absl::Status Append(const v1::AccountingRecord& record);
  absl::Status Reopen();

 private:
  explicit AccountingLog(std::string path) : path_(std::move(path)) {}
  absl::Status OpenLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  absl::Mutex mu_;
  UniqueFd fd_ ABSL_GUARDED_BY(mu_);
};

}  // namespace spoolgate::spooler
