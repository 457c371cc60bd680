// The printer agent: owns one PrinterWorker per configured printer, attaches
// to the spooler (dialling out), routes assignments and cancels to the
// workers, and reconnects with backoff when the spooler goes away.
//
// Thread safety: Run() on one thread; Stop() and Reconfigure() from any.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "lib/grpc/tls.h"
#include "services/printer-agent/agent_metrics.h"
#include "services/printer-agent/device.h"
#include "services/printer-agent/printer_worker.h"
#include "spoolgate/v1/dispatch.grpc.pb.h"

namespace spoolgate::agent {

struct PrinterConfig {
  std::string name;
  std::string queue;
  std::string uri;
};

// "NAME=QUEUE=URI" (the URI may itself contain '=').
absl::StatusOr<PrinterConfig> ParsePrinterFlag(absl::string_view flag);

struct AgentOptions {
  std::string spooler = "127.0.0.1:7600";
  std::string agent_id;  // default: host name
  std::vector<PrinterConfig> printers;
  TlsFiles tls;  // to the spooler; empty = plain TCP
  DeviceOptions device;
  absl::Duration probe_interval = absl::Seconds(2);
  absl::Duration min_reconnect = absl::Milliseconds(500);
  absl::Duration max_reconnect = absl::Seconds(30);
};

class Agent {
 public:
  // Builds the devices (bad URIs are errors here); `metrics` may be null.
  static absl::StatusOr<std::unique_ptr<Agent>> Create(AgentOptions options,
                                                       AgentMetrics* metrics);
  ~Agent();

  // Attaches and serves until Stop(); reconnects after every loss.
  void Run();
  // Ends Run(): closes the stream; jobs in flight are aborted and the
  // spooler puts them back in the queue.
  void Stop();
  // Applies a new printer list while attached (SIGHUP): printers whose name,
  // queue and URI are unchanged keep printing undisturbed; removed or
  // changed ones are dropped (the spooler puts their current job back in
  // the queue) and new ones are added. A bad URI refuses the whole list.
  absl::Status Reconfigure(const std::vector<PrinterConfig>& printers);

 private:
  Agent(AgentOptions options, AgentMetrics* metrics)
      : options_(std::move(options)), metrics_(metrics) {}
  // One attachment: returns when the stream ends.
  void AttachOnce(const std::shared_ptr<grpc::Channel>& channel);
  void Report(const v1::AgentMessage& message);
  std::shared_ptr<PrinterWorker> MakeWorker(const PrinterConfig& config,
                                            std::unique_ptr<Device> device);
  // A snapshot of the workers, to use without holding workers_mu_.
  std::vector<std::shared_ptr<PrinterWorker>> Workers();

  const AgentOptions options_;
  AgentMetrics* const metrics_;

  // Never held while a worker is destroyed or a message is written.
  absl::Mutex workers_mu_;
  std::vector<std::pair<PrinterConfig, std::shared_ptr<PrinterWorker>>> workers_
      ABSL_GUARDED_BY(workers_mu_);
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(workers_mu_);  // for new workers

  // gRPC allows one writer at a time; a Write may block under flow control.
  // mu_ is never held across a Write, so Stop() can always cancel the
  // stream, which unblocks the writer.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  grpc::ClientReaderWriter<v1::AgentMessage, v1::SpoolerMessage>* stream_ ABSL_GUARDED_BY(mu_) =
      nullptr;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Notification stopping_;
};

}  // namespace spoolgate::agent
