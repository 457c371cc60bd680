#include "services/printer-agent/printer_worker.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/grpc/status_conversion.h"
#include "lib/grpc/tls.h"
#include "lib/model/printer_state.h"
#include "services/printer-agent/filters/text_filters.h"

namespace spoolgate::agent {
namespace {

constexpr int kDefaultLpdWidth = 132;  // RFC 1179 7.12

v1::FailureDisposition DispositionFor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kHoldJob: return v1::FAILURE_DISPOSITION_HOLD;
    case Outcome::kCancelJob: return v1::FAILURE_DISPOSITION_CANCEL;
    default: return v1::FAILURE_DISPOSITION_RETRY;
  }
}

// States in which the worker probes the device until it answers again.
bool NeedsProbing(v1::PrinterState state) {
  return state == v1::PRINTER_STATE_ERROR || state == v1::PRINTER_STATE_OFFLINE ||
         state == v1::PRINTER_STATE_MEDIA_EMPTY;
}

// Errors that the spooler side caused: a job it no longer leases to us is
// to be dropped, anything else is retried.
bool JobGone(const absl::Status& s) {
  return s.code() == absl::StatusCode::kNotFound ||
         s.code() == absl::StatusCode::kFailedPrecondition;
}

}  // namespace

PrinterWorker::PrinterWorker(Options options, std::unique_ptr<Device> device, Reporter report,
                             AgentMetrics* metrics)
    : options_(std::move(options)), device_(std::move(device)), report_(std::move(report)),
      metrics_(metrics) {
  status_.set_name(options_.name);
  status_.set_queue(options_.queue);
  status_.set_device_uri(options_.uri);
  status_.set_state(v1::PRINTER_STATE_ERROR);
  status_.set_state_reason("not probed yet");
  if (metrics_) {  // at 0 from the start, so rates and alerts have data
    metrics_->device_errors.Add({{"printer", options_.name}});
    metrics_->jobs_printed.Add({{"printer", options_.name}});
    metrics_->jobs_failed.Add({{"printer", options_.name}});
    metrics_->bytes_written.Add({{"printer", options_.name}});
  }
  thread_ = std::thread([this] { Run(); });
}

PrinterWorker::~PrinterWorker() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    cancel_current_ = true;
  }
  thread_.join();
}

v1::PrinterStatus PrinterWorker::status() {
  absl::MutexLock lock(&mu_);
  return status_;
}

void PrinterWorker::SetChannel(std::shared_ptr<grpc::Channel> channel) {
  absl::MutexLock lock(&mu_);
  channel_ = std::move(channel);
}

void PrinterWorker::Assign(const v1::AssignJob& assignment) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(assignment);
}

bool PrinterWorker::Cancel(uint64_t job_id, uint64_t lease) {
  absl::MutexLock lock(&mu_);
  if (current_job_ == job_id && (lease == 0 || current_lease_ == lease)) {
    cancel_current_ = true;
    return true;
  }
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->job().id() == job_id && (lease == 0 || it->lease() == lease)) {
      queue_.erase(it);
      return true;
    }
  }
  return false;
}

void PrinterWorker::AbortAll() {
  absl::MutexLock lock(&mu_);
  queue_.clear();
  if (current_job_ != 0) cancel_current_ = true;
}

bool PrinterWorker::Cancelled(uint64_t job_id) {
  absl::MutexLock lock(&mu_);
  return cancel_current_ && current_job_ == job_id;
}

void PrinterWorker::SetState(v1::PrinterState state, const std::string& reason) {
  v1::AgentMessage message;
  {
    absl::MutexLock lock(&mu_);
    if (status_.state() == state && status_.state_reason() == reason &&
        status_.device_id() == device_->device_id()) {
      return;
    }
    if (metrics_) {
      metrics_->printer_state.Add({{"printer", options_.name}, {"state", PrinterStateLabel(status_.state())}}).Set(0);
      metrics_->printer_state.Add({{"printer", options_.name}, {"state", PrinterStateLabel(state)}}).Set(1);
    }
    if (status_.state() != state) status_.set_state_since_unix_micros(absl::ToUnixMicros(absl::Now()));
    status_.set_state(state);
    status_.set_state_reason(reason);
    status_.set_device_id(device_->device_id());
    *message.mutable_printer_status() = status_;
  }
  if (state == v1::PRINTER_STATE_IDLE) {
    Log("printer %s: ready", options_.name);
  } else if (state != v1::PRINTER_STATE_PRINTING) {
    Log("printer %s: %s: %s", options_.name, PrinterStateLabel(state), reason);
  }
  report_(message);
}

void PrinterWorker::Run() {
  absl::Time next_probe = absl::InfinitePast();
  while (true) {
    std::optional<v1::AssignJob> job;
    bool in_error;
    bool settle;
    {
      absl::MutexLock lock(&mu_);
      // The printer still says printing (or a deferred end failed) with no
      // job queued: once every deferred end is reported, it is settled.
      auto unsettled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return queue_.empty() && deferred_ends_ == 0 &&
               (deferred_failure_ || status_.state() == v1::PRINTER_STATE_PRINTING);
      };
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || !queue_.empty() || unsettled();
      };
      in_error = NeedsProbing(status_.state());
      if (in_error) {
        mu_.AwaitWithDeadline(absl::Condition(&ready), next_probe);
      } else {
        mu_.Await(absl::Condition(&ready));
      }
      if (stop_) return;
      // After a good job the spooler sends the next one as soon as it has
      // the report: a busy queue must not flap its printer to idle and
      // back (two status messages and log lines per job).
      if (unsettled() && !deferred_failure_) {
        auto job_or_stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stop_ || !queue_.empty();
        };
        mu_.AwaitWithTimeout(absl::Condition(&job_or_stop), options_.settle_delay);
        if (stop_) return;
      }
      settle = unsettled();
      if (!queue_.empty()) {
        job = queue_.front();
        queue_.pop_front();
        current_job_ = job->job().id();
        current_lease_ = job->lease();
        cancel_current_ = false;
      }
      in_error = NeedsProbing(status_.state());
    }
    if (settle) {
      Settle();
      continue;
    }
    if (job) {
      PrintJob(*job);
      absl::MutexLock lock(&mu_);
      current_job_ = current_lease_ = 0;
      cancel_current_ = false;
      continue;
    }
    if (in_error && absl::Now() >= next_probe) {
      absl::Status probe = device_->Probe();
      if (probe.ok()) {
        SetState(v1::PRINTER_STATE_IDLE, "");
      } else {
        if (metrics_) metrics_->device_errors.Add({{"printer", options_.name}}).Increment();
        DeviceCondition condition = ConditionForFailure(probe);
        SetState(condition.state, condition.reason);
      }
      next_probe = absl::Now() + options_.probe_interval;
    }
  }
}

void PrinterWorker::PrintJob(const v1::AssignJob& assignment) {
  const v1::Job& job = assignment.job();
  Log("printer %s: job %d: %d document(s), %d bytes", options_.name, job.id(),
      job.documents_size(), job.total_bytes());
  SetState(v1::PRINTER_STATE_PRINTING, "");
  Sent sent;
  for (const auto& doc : job.documents()) {
    sent.document_bytes_total += doc.size_bytes() * (doc.copies() == 0 ? 1 : doc.copies());
  }
  device_->set_stall_hook(
      [&](absl::Duration stalled) { return WhileStalled(assignment, stalled, &sent); });
  struct HookReset {  // the hook refers to `sent`, which ends with this call
    Device* device;
    ~HookReset() { device->set_stall_hook(nullptr); }
  } hook_reset{device_.get()};
  bool device_failed = false;
  absl::Status status = device_->BeginJob(job.id());
  device_failed = !status.ok();
  // RFC 1179 7.5: an L line asks for a banner page; its user name may be
  // left out. Jobs stored before the `banner` field say it by the name alone.
  bool wants_banner = job.control().banner() || !job.control().banner_user().empty();
  if (status.ok() && assignment.banners() && wants_banner) {
    const std::string& banner_user =
        job.control().banner_user().empty() ? job.user() : job.control().banner_user();
    BannerInfo banner{banner_user, job.title(), job.control().job_class(),
                      job.host(), job.id(), absl::FromUnixMicros(job.created_unix_micros()),
                      absl::LocalTimeZone()};
    std::string page = BannerPage(banner);
    status = device_->Write(page);
    device_failed = !status.ok();
    sent.device_bytes += page.size();
    sent.pages += 1;
  }
  for (int d = 0; status.ok() && d < job.documents_size(); ++d) {
    const auto& doc = job.documents(d);
    uint32_t copies = doc.copies() == 0 ? 1 : doc.copies();
    for (uint32_t c = 0; status.ok() && c < copies; ++c) {
      auto carried = assignment.documents().find(doc.index());
      status = PrintDocument(assignment, doc,
                             carried == assignment.documents().end() ? nullptr : &carried->second,
                             &sent);
      if (!status.ok() && status.code() != absl::StatusCode::kCancelled &&
          absl::StartsWith(status.message(), "device: ")) {
        device_failed = true;
      }
    }
  }
  // A cancel that came during the last write must not let the job be
  // completed (published, on a dir: device) and then reported cancelled.
  if (status.ok() && Cancelled(job.id())) status = absl::CancelledError("cancelled");
  if (status.ok()) {
    // Where the device allows, the next job begins while this one is made
    // durable, and this one is reported once it is.
    auto finish = device_->EndJobDeferred();
    if (finish.ok() && finish->has_value()) {
      EndLater(job.id(), assignment.lease(), **std::move(finish), sent);
      return;
    }
    status = finish.status();  // ended here
    device_failed = !status.ok();
  }
  WaitForDeferredEnds();  // the jobs before this one are reported first
  ReportJobEnd(assignment, status, device_failed, sent);
}

void PrinterWorker::EndLater(uint64_t job_id, uint64_t lease, Device::Finish finish,
                             const Sent& sent) {
  {
    absl::MutexLock lock(&mu_);
    ++deferred_ends_;
  }
  // The report needs the job's id and lease, not its documents.
  finisher_.Post(std::move(finish), [this, job_id, lease, sent](const absl::Status& status) {
    ReportDeferredEnd(job_id, lease, status, sent);
    absl::MutexLock lock(&mu_);
    --deferred_ends_;
  });
}

void PrinterWorker::WaitForDeferredEnds() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+[](int* ends) { return *ends == 0; }, &deferred_ends_));
}

void PrinterWorker::ReportDeferredEnd(uint64_t job_id, uint64_t lease, const absl::Status& status,
                                      const Sent& sent) {
  if (status.ok()) {
    ReportCompleted(job_id, lease, sent);
    return;
  }
  Log("printer %s: job %d failed after %d bytes: %s", options_.name, job_id, sent.device_bytes,
      status.ToString());
  if (metrics_) {
    metrics_->jobs_failed.Add({{"printer", options_.name}}).Increment();
    metrics_->device_errors.Add({{"printer", options_.name}}).Increment();
  }
  {
    absl::MutexLock lock(&mu_);
    deferred_failure_ = ConditionForFailure(status);
  }
  ReportFailed(job_id, lease, status.message(), DispositionFor(OutcomeFor(status)));
}

void PrinterWorker::Settle() {
  std::optional<DeviceCondition> failure;
  {
    absl::MutexLock lock(&mu_);
    failure = std::exchange(deferred_failure_, std::nullopt);
  }
  if (failure) {
    SetState(failure->state, failure->reason);
  } else {
    SetState(v1::PRINTER_STATE_IDLE, "");
  }
}

void PrinterWorker::ReportCompleted(uint64_t job_id, uint64_t lease, const Sent& sent) {
  Log("printer %s: job %d printed, %d bytes", options_.name, job_id, sent.device_bytes);
  if (metrics_) metrics_->jobs_printed.Add({{"printer", options_.name}}).Increment();
  v1::AgentMessage message;
  message.mutable_completed()->set_job_id(job_id);
  message.mutable_completed()->set_lease(lease);
  message.mutable_completed()->set_bytes_written(sent.device_bytes);
  if (sent.pages_known) message.mutable_completed()->set_pages(sent.pages);
  report_(message);
}

void PrinterWorker::ReportFailed(uint64_t job_id, uint64_t lease, absl::string_view error,
                                 v1::FailureDisposition disposition) {
  v1::AgentMessage message;
  message.mutable_failed()->set_job_id(job_id);
  message.mutable_failed()->set_lease(lease);
  message.mutable_failed()->set_error(std::string(error));
  message.mutable_failed()->set_disposition(disposition);
  report_(message);
}

void PrinterWorker::ReportJobEnd(const v1::AssignJob& assignment, absl::Status status,
                                 bool device_failed, const Sent& sent) {
  const v1::Job& job = assignment.job();
  if (Cancelled(job.id())) {
    device_->AbortJob();
    Log("printer %s: job %d stopped: cancelled", options_.name, job.id());
    ReportFailed(job.id(), assignment.lease(), "cancelled while printing",
                 v1::FAILURE_DISPOSITION_CANCEL);
    SetState(v1::PRINTER_STATE_IDLE, "");
    return;
  }
  if (status.ok()) {
    // Between two jobs the printer stays PRINTING: no status round trip.
    // With none queued, the worker's loop settles it (Settle).
    ReportCompleted(job.id(), assignment.lease(), sent);
    return;
  }
  device_->AbortJob();
  if (metrics_) metrics_->jobs_failed.Add({{"printer", options_.name}}).Increment();
  Outcome outcome = device_failed ? OutcomeFor(status)
                                  : (JobGone(status) ? Outcome::kCancelJob : OutcomeFor(status));
  Log("printer %s: job %d failed after %d bytes: %s", options_.name, job.id(), sent.device_bytes,
      status.ToString());
  // The printer's new state goes out before the failure: the spooler then
  // does not hand the job straight back to a printer that just failed it.
  if (device_failed) {
    if (metrics_) metrics_->device_errors.Add({{"printer", options_.name}}).Increment();
    DeviceCondition condition = ConditionForFailure(status);
    SetState(condition.state, condition.reason);
  }
  ReportFailed(job.id(), assignment.lease(), status.message(), DispositionFor(outcome));
  if (!device_failed) SetState(v1::PRINTER_STATE_IDLE, "");
}

absl::Status PrinterWorker::WhileStalled(const v1::AssignJob& assignment, absl::Duration stalled,
                                         Sent* sent) {
  if (Cancelled(assignment.job().id())) return absl::CancelledError("cancelled");
  sent->waited = true;
  std::optional<DeviceCondition> condition = device_->Condition();
  if (condition && condition->state != v1::PRINTER_STATE_IDLE) {
    SetState(condition->state, condition->reason);
  } else if (stalled >= options_.stall_after) {
    SetState(v1::PRINTER_STATE_STALLED, "the device takes no data (paper jam, open cover, busy?)");
  }
  // The job keeps its lease while the printer is merely waiting.
  if (absl::Now() - sent->last_report >= options_.progress_interval) ReportProgress(assignment, sent);
  return absl::OkStatus();
}

void PrinterWorker::AfterWrite(Sent* sent) {
  bool check = absl::Now() - sent->last_condition >= options_.condition_interval;
  if (!sent->waited && !check) return;
  sent->waited = false;
  sent->last_condition = absl::Now();
  std::optional<DeviceCondition> condition = device_->Condition();
  if (condition && condition->state != v1::PRINTER_STATE_IDLE) {
    SetState(condition->state, condition->reason);
  } else {
    SetState(v1::PRINTER_STATE_PRINTING, "");
  }
}

void PrinterWorker::ReportProgress(const v1::AssignJob& assignment, Sent* sent) {
  sent->last_report = absl::Now();
  v1::AgentMessage progress;
  progress.mutable_progress()->set_job_id(assignment.job().id());
  progress.mutable_progress()->set_lease(assignment.lease());
  progress.mutable_progress()->set_bytes_written(sent->device_bytes);
  progress.mutable_progress()->set_document_bytes(sent->document_bytes);
  progress.mutable_progress()->set_document_bytes_total(sent->document_bytes_total);
  report_(progress);
}

absl::Status PrinterWorker::PrintDocument(const v1::AssignJob& assignment, const v1::Document& doc,
                                          const std::string* data, Sent* sent) {
  const v1::Job& job = assignment.job();
  FilterOptions filter_options;
  // RFC 1179 7.10 and 7.7: pr's title is T, else the file's source name (N).
  // An LPD document without an N line is named after its data file (dfA...).
  bool has_source = !doc.name().empty() && !(job.origin().protocol() == "lpd" &&
                                             absl::StartsWith(doc.name(), "df"));
  filter_options.title = !job.control().pr_title().empty() ? job.control().pr_title()
                         : has_source                       ? doc.name()
                                                            : job.title();
  filter_options.indent = job.control().indent_columns();
  // RFC 1179 7.12: W limits 'f' and 'p' output; without it the width is 132.
  filter_options.width = job.control().width_columns() > 0 ? job.control().width_columns()
                                                           : kDefaultLpdWidth;
  filter_options.date = absl::FromUnixMicros(job.created_unix_micros());
  filter_options.zone = absl::LocalTimeZone();
  bool rendered = true;
  auto filter = MakeFilter(doc.format(), filter_options, &rendered);
  if (!rendered) {
    v1::AgentMessage warning;
    warning.mutable_warning()->set_job_id(job.id());
    warning.mutable_warning()->set_lease(assignment.lease());
    warning.mutable_warning()->set_warning(
        absl::StrCat("format '", doc.format(), "' of ", doc.name(), " printed raw"));
    report_(warning);
  }
  Sink sink = [&](absl::string_view data) -> absl::Status {
    if (Cancelled(job.id())) return absl::CancelledError("cancelled");
    absl::Time start = absl::Now();
    absl::Status s = device_->Write(data);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("device: ", s.message()));
    if (metrics_) {
      metrics_->WriteLatency(options_.name).Observe(absl::ToDoubleSeconds(absl::Now() - start));
      metrics_->bytes_written.Add({{"printer", options_.name}}).Increment(static_cast<double>(data.size()));
    }
    sent->device_bytes += data.size();
    AfterWrite(sent);
    if (absl::Now() - sent->last_report >= options_.progress_interval) ReportProgress(assignment, sent);
    return absl::OkStatus();
  };

  if (data != nullptr) sent->document_bytes += data->size();
  absl::Status read = data != nullptr ? filter->Write(*data, sink)
                                      : PrintRead(job, doc, filter.get(), sink, sent);
  if (!read.ok()) return read;
  absl::Status finished = filter->Finish(sink);
  if (filter->pages() > 0) {
    sent->pages += static_cast<uint32_t>(filter->pages());
  } else {
    sent->pages_known = false;
  }
  return finished;
}

absl::Status PrinterWorker::PrintRead(const v1::Job& job, const v1::Document& doc, Filter* filter,
                                      const Sink& sink, Sent* sent) {
  std::shared_ptr<grpc::Channel> channel;
  {
    absl::MutexLock lock(&mu_);
    channel = channel_;
  }
  if (!channel) return absl::UnavailableError("not connected to the spooler");
  auto stub = v1::Dispatch::NewStub(channel);
  uint64_t offset = 0;
  for (int attempt = 0;; ++attempt) {
    grpc::ClientContext context;
    AddCallToken(&context);
    v1::ReadDocumentRequest request;
    request.set_job_id(job.id());
    request.set_document(doc.index());
    request.set_offset(offset);
    auto reader = stub->ReadDocument(&context, request);
    v1::DocumentData chunk;
    absl::Status status;
    while (status.ok() && reader->Read(&chunk)) {
      if (chunk.offset() != offset) {
        status = absl::DataLossError("document chunks out of order");
        break;
      }
      status = filter->Write(chunk.data(), sink);
      offset += chunk.data().size();
      sent->document_bytes += chunk.data().size();
    }
    if (!status.ok()) {
      context.TryCancel();
      reader->Finish();
      return status;
    }
    absl::Status read = FromGrpcStatus(reader->Finish());
    if (read.ok()) break;
    if (Cancelled(job.id())) return absl::CancelledError("cancelled");
    bool transient = read.code() == absl::StatusCode::kUnavailable ||
                     read.code() == absl::StatusCode::kDeadlineExceeded ||
                     read.code() == absl::StatusCode::kResourceExhausted;
    if (!transient || attempt >= options_.read_retries) {
      return absl::Status(read.code(), absl::StrCat("read job data: ", read.message()));
    }
    Log("printer %s: job %d: read interrupted at byte %d (%s), resuming", options_.name,
        job.id(), offset, read.ToString());
    absl::SleepFor(absl::Milliseconds(200) * (attempt + 1));
  }
  if (offset != doc.size_bytes()) {
    return absl::DataLossError(absl::StrCat("document ", doc.index(), " has ", offset,
                                            " bytes, expected ", doc.size_bytes()));
  }
  return absl::OkStatus();
}

}  // namespace spoolgate::agent
