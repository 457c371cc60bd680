// One LPD connection: reads the daemon command and serves it, streaming
// received jobs into the spooler through Intake and answering lpq/lprm from
// the Admin API. Blocking I/O bounded by timeouts.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/channel.h>

#include "lib/base/unique_fd.h"
#include "lib/intake/intake_client.h"
#include "lib/net/tcp_listener.h"
#include "services/lpd-gateway/control_file.h"
#include "services/lpd-gateway/lpd_command.h"
#include "services/lpd-gateway/lpd_gateway.h"
#include "services/lpd-gateway/receive_job_parser.h"

namespace spoolgate::lpd {

class LpdSession {
 public:
  // `fd` is borrowed: the gateway owns it and closes it after Run().
  LpdSession(int fd, net::Endpoint peer, const LpdOptions& options,
             std::shared_ptr<grpc::Channel> channel, LpdQueueCache& queues, LpdMetrics* metrics);
  void Run();

 private:
  // The job being received on this connection (several may follow).
  struct Job {
    std::string queue;
    std::unique_ptr<IntakeJob> intake;
    std::optional<ControlFile> control;
    std::string control_name;
    std::map<std::string, uint32_t> documents;  // data file name -> index
    uint32_t next_document = 0;
  };

  // Reads into `buffer_`; 0 at EOF; DeadlineExceeded after the idle timeout.
  absl::StatusOr<size_t> ReadSome();
  // One recv into `into`, with the same results.
  absl::StatusOr<size_t> ReadInto(char* into, size_t capacity);
  // Counts `bytes` of a data file handed to the spooler with result
  // `stored`, and acknowledges a refusal to the client at once.
  absl::Status DataFileBytes(size_t bytes, absl::Status stored);
  bool Send(absl::string_view bytes);
  bool SendAck(const absl::Status& status, absl::string_view reason);
  absl::Status CheckAccess(const std::string& queue);
  // Whether `queue` exists and takes jobs, as far as the queue cache knows.
  absl::Status CheckQueue(const std::string& queue);

  void ReceiveJob(const DaemonCommand& command, absl::string_view pending);
  absl::Status OpenJob(const std::string& queue);
  // Handles one parser event; a non-OK result ends the connection after
  // its ack octet was sent.
  absl::Status Handle(const ReceiveEvent& event, const std::string& queue);
  absl::Status FileEnd(absl::Time started);
  absl::Status CommitIfComplete();
  void DiscardJob(const char* reason);
  void QueueState(const DaemonCommand& command);
  void RemoveJobs(const DaemonCommand& command);

  const int fd_;
  const net::Endpoint peer_;
  const LpdOptions& options_;
  std::shared_ptr<grpc::Channel> channel_;
  LpdQueueCache& queues_;
  LpdMetrics* metrics_;
  std::unique_ptr<char[]> read_buffer_;  // allocated on first read
  size_t read_capacity_ = 0;
  absl::string_view buffer_;  // what the last ReadSome() read, in read_buffer_
  std::optional<Job> job_;
  bool in_control_ = false;   // the current file is the control file
  bool in_file_ = false;
  std::string control_bytes_;
};

}  // namespace spoolgate::lpd
