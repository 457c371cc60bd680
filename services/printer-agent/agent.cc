#include "services/printer-agent/agent.h"

#include <unistd.h>

#include <algorithm>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/grpc/flow_control.h"

namespace spoolgate::agent {

absl::StatusOr<PrinterConfig> ParsePrinterFlag(absl::string_view flag) {
  auto first = flag.find('=');
  auto second = first == absl::string_view::npos ? first : flag.find('=', first + 1);
  if (second == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--printer='", flag, "': expected NAME=QUEUE=URI"));
  }
  PrinterConfig config{std::string(flag.substr(0, first)),
                       std::string(flag.substr(first + 1, second - first - 1)),
                       std::string(flag.substr(second + 1))};
  if (config.name.empty() || config.queue.empty() || config.uri.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--printer='", flag, "': empty part"));
  }
  return config;
}

absl::StatusOr<std::unique_ptr<Agent>> Agent::Create(AgentOptions options,
                                                     AgentMetrics* metrics) {
  if (options.printers.empty()) return absl::InvalidArgumentError("no printers configured");
  if (auto channel = MakeChannel(options.spooler, options.tls); !channel.ok()) return channel.status();
  if (options.agent_id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    options.agent_id = host;
  }
  std::vector<std::pair<PrinterConfig, std::unique_ptr<Device>>> devices;
  for (const auto& printer : options.printers) {
    auto uri = ParseDeviceUri(printer.uri);
    if (!uri.ok()) return uri.status();
    auto device = MakeDevice(*uri, options.device);
    if (!device.ok()) return device.status();
    devices.emplace_back(printer, *std::move(device));
  }
  auto agent = std::unique_ptr<Agent>(new Agent(std::move(options), metrics));
  absl::MutexLock lock(&agent->workers_mu_);
  for (auto& [config, device] : devices) {
    agent->workers_.emplace_back(config, agent->MakeWorker(config, std::move(device)));
  }
  return agent;
}

std::shared_ptr<PrinterWorker> Agent::MakeWorker(const PrinterConfig& config,
                                                 std::unique_ptr<Device> device) {
  PrinterWorker::Options worker;
  worker.name = config.name;
  worker.queue = config.queue;
  worker.uri = config.uri;
  worker.probe_interval = options_.probe_interval;
  worker.stall_after = options_.device.write_timeout;
  return std::make_shared<PrinterWorker>(
      worker, std::move(device), [this](const v1::AgentMessage& m) { Report(m); }, metrics_);
}

std::vector<std::shared_ptr<PrinterWorker>> Agent::Workers() {
  absl::MutexLock lock(&workers_mu_);
  std::vector<std::shared_ptr<PrinterWorker>> out;
  for (const auto& [config, worker] : workers_) out.push_back(worker);
  return out;
}

absl::Status Agent::Reconfigure(const std::vector<PrinterConfig>& printers) {
  if (printers.empty()) return absl::InvalidArgumentError("no printers configured");
  auto same = [](const PrinterConfig& a, const PrinterConfig& b) {
    return a.name == b.name && a.queue == b.queue && a.uri == b.uri;
  };
  std::vector<std::pair<PrinterConfig, std::unique_ptr<Device>>> devices;
  std::vector<std::shared_ptr<PrinterWorker>> removed, added;
  {
    absl::MutexLock lock(&workers_mu_);
    for (const auto& printer : printers) {
      bool kept = std::any_of(workers_.begin(), workers_.end(),
                              [&](const auto& w) { return same(w.first, printer); });
      if (kept) continue;
      auto uri = ParseDeviceUri(printer.uri);
      if (!uri.ok()) return uri.status();
      auto device = MakeDevice(*uri, options_.device);
      if (!device.ok()) return device.status();
      devices.emplace_back(printer, *std::move(device));
    }
    for (auto it = workers_.begin(); it != workers_.end();) {
      bool kept = std::any_of(printers.begin(), printers.end(),
                              [&](const PrinterConfig& p) { return same(it->first, p); });
      if (kept) {
        ++it;
      } else {
        removed.push_back(it->second);
        it = workers_.erase(it);
      }
    }
  }
  // The spooler first forgets the removed printers (their jobs go back to
  // the queue), then the workers stop.
  for (const auto& worker : removed) {
    v1::AgentMessage message;
    message.mutable_printer_removed()->set_name(worker->status().name());
    Report(message);
    Log("printer %s removed", worker->status().name());
  }
  removed.clear();  // joins their threads
  for (auto& [config, device] : devices) {
    auto worker = MakeWorker(config, std::move(device));
    absl::MutexLock lock(&workers_mu_);
    if (channel_) worker->SetChannel(channel_);
    workers_.emplace_back(config, worker);
    added.push_back(worker);
    Log("printer %s added: queue %s, %s", config.name, config.queue, config.uri);
  }
  // A printer the spooler has not seen yet becomes known by its status.
  for (const auto& worker : added) {
    v1::AgentMessage status;
    *status.mutable_printer_status() = worker->status();
    Report(status);
  }
  return absl::OkStatus();
}

Agent::~Agent() {
  Stop();
  std::vector<std::pair<PrinterConfig, std::shared_ptr<PrinterWorker>>> workers;
  {
    absl::MutexLock lock(&workers_mu_);
    workers.swap(workers_);
  }
  workers.clear();  // joins the worker threads
}

void Agent::Report(const v1::AgentMessage& message) {
  absl::MutexLock writing(&write_mu_);
  grpc::ClientReaderWriter<v1::AgentMessage, v1::SpoolerMessage>* stream;
  {
    absl::MutexLock lock(&mu_);
    stream = stream_;
  }
  // The stream outlives this Write: AttachOnce takes write_mu_ before it
  // finishes the stream.
  if (stream != nullptr) stream->Write(message);
}

void Agent::Stop() {
  absl::MutexLock lock(&mu_);
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  // Cancelling ends a pending Read and any Write blocked on flow control;
  // the spooler returns unfinished jobs to their queues.
  if (context_ != nullptr) context_->TryCancel();
}

void Agent::Run() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Reconnect promptly: our own backoff below decides the pace.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  // Documents stream in at the window's pace, without growing buffers.
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kStreamWindowBytes);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  auto made = MakeChannel(options_.spooler, options_.tls, args);
  if (!made.ok()) {
    Log("cannot reach the spooler: %s", made.status().ToString());
    return;
  }
  std::shared_ptr<grpc::Channel> channel = *made;
  {
    absl::MutexLock lock(&workers_mu_);
    channel_ = channel;
  }
  for (auto& worker : Workers()) worker->SetChannel(channel);
  absl::Duration backoff = options_.min_reconnect;
  while (!stopping_.HasBeenNotified()) {
    absl::Time attached_at = absl::Now();
    AttachOnce(channel);
    for (auto& worker : Workers()) worker->AbortAll();
    if (stopping_.HasBeenNotified()) break;
    // A long healthy attachment resets the backoff.
    if (absl::Now() - attached_at > absl::Seconds(30)) backoff = options_.min_reconnect;
    Log("spooler %s: connection lost, retrying in %s", options_.spooler,
        absl::FormatDuration(backoff));
    stopping_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, options_.max_reconnect);
  }
}

void Agent::AttachOnce(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Dispatch::NewStub(channel);
  grpc::ClientContext context;
  // Wait for the spooler to be reachable instead of failing fast while the
  // channel is between connection attempts; Stop() cancels the wait.
  context.set_wait_for_ready(true);
  AddCallToken(&context);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_.HasBeenNotified()) return;
    context_ = &context;
  }
  auto stream = stub->Attach(&context);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id(options_.agent_id);
  hello.mutable_hello()->set_version(SPOOLGATE_VERSION);
  for (auto& worker : Workers()) *hello.mutable_hello()->add_printers() = worker->status();
  bool attached = stream->Write(hello);
  {
    absl::MutexLock writing(&write_mu_);
    absl::MutexLock lock(&mu_);
    if (!attached || stopping_.HasBeenNotified()) {
      context_ = nullptr;
      context.TryCancel();
      stream->Finish();
      return;
    }
    stream_ = stream.get();
  }
  // Status changes between building hello and now would be lost; resend.
  for (auto& worker : Workers()) {
    v1::AgentMessage status;
    *status.mutable_printer_status() = worker->status();
    Report(status);
  }
  Log("attached to spooler %s as %s with %d printer(s)", options_.spooler, options_.agent_id,
      Workers().size());
  if (metrics_) metrics_->connected.Set(1);
  v1::SpoolerMessage message;
  while (stream->Read(&message)) {
    if (message.has_assign()) {
      for (auto& worker : Workers()) {
        if (worker->status().name() == message.assign().printer()) worker->Assign(message.assign());
      }
    } else if (message.has_cancel()) {
      for (auto& worker : Workers()) {
        if (worker->Cancel(message.cancel().job_id(), message.cancel().lease())) {
          Log("job %d: cancel requested: %s", message.cancel().job_id(), message.cancel().reason());
        }
      }
    }
  }
  if (metrics_) metrics_->connected.Set(0);
  {
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
    context_ = nullptr;
  }
  { absl::MutexLock writing(&write_mu_); }  // a Write in flight has returned
  auto status = stream->Finish();
  if (!status.ok() && !stopping_.HasBeenNotified()) {
    Log("spooler stream ended: %s", status.error_message());
  }
}

}  // namespace spoolgate::agent
