#include "services/spooler/accounting.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "lib/text/display_json.h"
#include "services/spooler/job_state.h"

namespace spoolgate::spooler {

v1::AccountingRecord AccountingRecordFor(const v1::Job& job) {
  v1::AccountingRecord r;
  r.set_job_id(job.id());
  r.set_queue(job.queue());
  r.set_printer(job.printer());
  r.set_user(job.user());
  r.set_host(job.host());
  r.set_title(job.title());
  r.set_protocol(job.origin().protocol());
  r.set_peer(job.origin().peer());
  uint32_t copies = 0;
  for (const auto& d : job.documents()) {
    auto* entry = r.add_documents();
    entry->set_name(d.name());
    entry->set_format(d.format());
    entry->set_bytes(d.size_bytes());
    entry->set_copies(d.copies() == 0 ? 1 : d.copies());
    copies = std::max(copies, entry->copies());
  }
  r.set_bytes(job.total_bytes());
  if (job.state() == v1::JOB_STATE_COMPLETED) {
    uint64_t printed = 0;
    for (const auto& d : r.documents()) printed += d.bytes() * d.copies();
    r.set_bytes_printed(printed);
  }
  r.set_copies(copies);
  r.set_pages(job.pages());
  r.set_attempts(job.attempts());
  r.set_submitted_unix_micros(job.submitted_unix_micros());
  r.set_started_unix_micros(job.attempts() ? job.started_unix_micros() : 0);
  r.set_finished_unix_micros(job.finished_unix_micros());
  switch (job.state()) {
    case v1::JOB_STATE_COMPLETED: r.set_outcome("completed"); break;
    case v1::JOB_STATE_FAILED: r.set_outcome("failed"); break;
    case v1::JOB_STATE_CANCELLED: r.set_outcome("cancelled"); break;
    default: r.set_outcome(std::string(JobStateName(job.state())));
  }
  if (job.state() != v1::JOB_STATE_COMPLETED) r.set_reason(job.last_error());
  return r;
}

std::string AccountingJsonLine(const v1::AccountingRecord& record) {
  return text::DisplayJson(record, /*with_defaults=*/false);
}

absl::StatusOr<std::unique_ptr<AccountingLog>> AccountingLog::Open(const std::string& path) {
  auto log = std::unique_ptr<AccountingLog>(new AccountingLog(path));
  absl::MutexLock lock(&log->write_mu_);
  if (auto s = log->OpenLocked(); !s.ok()) return s;
  return log;
}

absl::Status AccountingLog::OpenLocked() {
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid()) {
    return absl::ErrnoToStatus(errno, absl::StrCat("accounting log ", path_));
  }
  fd_ = std::move(fd);
  return absl::OkStatus();
}

void AccountingLog::Add(const v1::AccountingRecord& record) {
  std::string line = AccountingJsonLine(record) + "\n";
  absl::MutexLock lock(&queue_mu_);
  pending_ += line;
}

absl::Status AccountingLog::Flush() {
  absl::MutexLock lock(&write_mu_);
  return FlushLocked();
}

absl::Status AccountingLog::FlushLocked() {
  std::string lines;
  {
    absl::MutexLock lock(&queue_mu_);
    lines.swap(pending_);
  }
  if (lines.empty()) return absl::OkStatus();
  // Whole lines with O_APPEND: a reader never sees two lines interleaved.
  size_t done = 0;
  while (done < lines.size()) {
    ssize_t n = ::write(fd_.get(), lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("accounting log ", path_));
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_.get()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("accounting log ", path_, ": sync"));
  }
  return absl::OkStatus();
}

absl::Status AccountingLog::Reopen() {
  absl::MutexLock lock(&write_mu_);
  absl::Status flushed = FlushLocked();
  absl::Status opened = OpenLocked();
  return flushed.ok() ? opened : flushed;
}

absl::Status AccountingLog::Append(const v1::AccountingRecord& record) {
  Add(record);
  return Flush();
}

}  // namespace spoolgate::spooler
