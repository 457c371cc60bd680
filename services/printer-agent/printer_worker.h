// One printer: a thread that prints the jobs the spooler assigns to it, one
// at a time, and watches the device while it is in error. Where the device
// hands back the end of a job (dir:), a finisher thread completes it and
// reports the job while the worker prints the next one.
//
// Thread safety: Assign, Cancel, Abort and status() may be called from any
// thread; the worker thread alone touches the device.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <grpcpp/channel.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/printer-agent/agent_metrics.h"
#include "services/printer-agent/device.h"
#include "services/printer-agent/filters/filter.h"
#include "services/printer-agent/job_finisher.h"
#include "spoolgate/v1/dispatch.grpc.pb.h"

namespace spoolgate::agent {

class PrinterWorker {
 public:
  using Reporter = std::function<void(const v1::AgentMessage&)>;
  struct Options {
    std::string name, queue, uri;
    absl::Duration probe_interval = absl::Seconds(2);
    absl::Duration progress_interval = absl::Seconds(1);
    // A device that takes no data this long is reported stalled; the job
    // keeps its lease and waits (--write_timeout_seconds).
    absl::Duration stall_after = absl::Seconds(60);
    // How often the device's own status is read while printing.
    absl::Duration condition_interval = absl::Seconds(3);
    int read_retries = 3;  // ReadDocument resumes per document
    // How long a printer whose last job went well waits for the next one
    // before it reports itself idle.
    absl::Duration settle_delay = absl::Milliseconds(200);
  };

  // `report` sends a message to the spooler (dropped while disconnected);
  // `metrics` may be null. Starts the thread, which probes the device first.
  PrinterWorker(Options options, std::unique_ptr<Device> device, Reporter report,
                AgentMetrics* metrics);
  ~PrinterWorker();  // stops the thread, aborting a job in progress

  // The printer's status for hello and status messages.
  v1::PrinterStatus status();
  // Uses `channel` for ReadDocument from now on (after each reconnect).
  void SetChannel(std::shared_ptr<grpc::Channel> channel);
  void Assign(const v1::AssignJob& assignment);
  // Stops attempt `lease` of the job (0: any attempt) if it is queued or
  // printing here; true if it was.
  bool Cancel(uint64_t job_id, uint64_t lease);
  // The spooler connection is gone: drop queued jobs and stop the current
  // one (the spooler returns them to the queue itself).
  void AbortAll();

 private:
  void Run();
  void PrintJob(const v1::AssignJob& assignment);
  // What has gone to the device in this attempt: device bytes (banner and
  // filter output included) and document bytes (progress), with their total.
  struct Sent {
    uint64_t device_bytes = 0;
    uint64_t document_bytes = 0;
    uint64_t document_bytes_total = 0;
    absl::Time last_report = absl::Now();  // per job, not per document or copy
    absl::Time last_condition = absl::Now();
    bool waited = false;  // the device stalled since the last write
    uint32_t pages = 0;
    bool pages_known = true;  // every document's filter counted its pages
  };
  // The stall hook: reports stalled (or the device's own condition), keeps
  // the lease alive, and gives up only when the job is cancelled.
  absl::Status WhileStalled(const v1::AssignJob& assignment, absl::Duration stalled, Sent* sent);
  // After a write went through: back to printing, or the device's condition.
  void AfterWrite(Sent* sent);
  void ReportProgress(const v1::AssignJob& assignment, Sent* sent);
  // `data`: the document's bytes if the assignment carried them, else null
  // (read from the spooler).
  // Tells the spooler how job `job` ended (`status` of the device's work)
  // and sets the printer's state accordingly.
  void ReportJobEnd(const v1::AssignJob& assignment, absl::Status status, bool device_failed,
                    const Sent& sent);
  void ReportCompleted(uint64_t job_id, uint64_t lease, const Sent& sent);
  void ReportFailed(uint64_t job_id, uint64_t lease, absl::string_view error,
                    v1::FailureDisposition disposition);
  // Runs `finish` on the finisher, then reports the job.
  void EndLater(uint64_t job_id, uint64_t lease, Device::Finish finish, const Sent& sent);
  // Returns once every job handed to EndLater is reported.
  void WaitForDeferredEnds();
  // On the finisher: reports a job whose output was completed there.
  void ReportDeferredEnd(uint64_t job_id, uint64_t lease, const absl::Status& status,
                         const Sent& sent);
  // Between jobs, with none queued and every deferred end reported: the
  // printer is idle, or in the state a deferred failure left.
  void Settle();
  absl::Status PrintDocument(const v1::AssignJob& assignment, const v1::Document& doc,
                             const std::string* data, Sent* sent);
  // Streams the document from the spooler, resuming after transient errors.
  absl::Status PrintRead(const v1::Job& job, const v1::Document& doc, Filter* filter,
                         const Sink& sink, Sent* sent);
  void SetState(v1::PrinterState state, const std::string& reason);
  bool Cancelled(uint64_t job_id);

  const Options options_;
  std::unique_ptr<Device> device_;  // worker thread only
  Reporter report_;
  AgentMetrics* metrics_;

  absl::Mutex mu_;
  std::deque<v1::AssignJob> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t current_job_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t current_lease_ ABSL_GUARDED_BY(mu_) = 0;
  bool cancel_current_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  v1::PrinterStatus status_ ABSL_GUARDED_BY(mu_);
  // The device's condition after a job's deferred end failed, for the
  // worker thread to show: the finisher never changes the printer's state.
  std::optional<DeviceCondition> deferred_failure_ ABSL_GUARDED_BY(mu_);
  int deferred_ends_ ABSL_GUARDED_BY(mu_) = 0;  // handed to EndLater, not yet reported
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mu_);
  // Ends jobs (dir: publishes their files) while the next one prints.
  // Destroyed, after the worker thread is joined, before what its tasks use.
  JobFinisher finisher_;
  std::thread thread_;
};

}  // namespace spoolgate::agent
