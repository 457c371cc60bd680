// The FTP gateway core: listeners, the session cap (421 when full), and an
// FtpConnection per client. Stateless: uploads stream straight to the
// spooler and become jobs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/net/connection_server.h"
#include "lib/grpc/connections.h"
#include "services/ftp-gateway/data_connection.h"
#include "services/ftp-gateway/ftp_metrics.h"
#include "services/ftp-gateway/ftp_session.h"
#include "services/ftp-gateway/tls_stream.h"

namespace spoolgate::ftp {

struct FtpOptions {
  std::vector<std::string> listen = {"0.0.0.0:21"};
  std::string spooler = "127.0.0.1:7600";
  std::shared_ptr<grpc::Channel> channel;  // to the spooler; null = plain TCP to `spooler`
  // Sessions take turns on these (separate connections to the spooler);
  // empty = all on `channel`.
  std::vector<std::shared_ptr<grpc::Channel>> session_channels;
  PortRange passive_ports;             // 0-0: kernel's choice
  std::string public_address;          // PASV reply address (NAT); empty = local address
  int max_sessions = 4096;             // Jetdirect allows 4
  absl::Duration idle_timeout = absl::Seconds(270);
  absl::Duration data_timeout = absl::Seconds(60);  // data connection setup or stall
  size_t max_line_bytes = 4096;
  FtpSession::Authenticator authenticate;  // null: any user
  std::string default_queue;           // for put FILE at /; empty = the first queue
  std::shared_ptr<TlsServerContext> tls;  // FTPS (AUTH TLS); null = not offered
  bool tls_required = false;              // with `tls`: refuse USER before AUTH TLS, data in clear
  absl::Duration queue_list_max_age = absl::Seconds(2);  // the shared queue list's refresh
};

class FtpGateway {
 public:
  FtpGateway(FtpOptions options, FtpMetrics* metrics);
  absl::Status Start() { return server_.Start(options_.listen); }
  void Stop(absl::Duration grace) { server_.Stop(grace); }
  const std::vector<net::Endpoint>& bound() const { return server_.bound(); }

 private:
  const FtpOptions options_;
  FtpMetrics* const metrics_;
  std::shared_ptr<grpc::Channel> channel_;
  ChannelTurns session_channels_;
  std::unique_ptr<QueueDirectory> queues_;
  net::ConnectionServer server_;
};

// The spooler's queues and their printers' states, by two Admin calls.
absl::StatusOr<std::vector<QueueInfo>> FetchQueues(const std::shared_ptr<grpc::Channel>& channel);

// Reads "user:crypt-hash" lines (crypt(3) hashes, e.g. SHA-512 "$6$...").
absl::StatusOr<FtpSession::Authenticator> LoadUsersFile(const std::string& path);

}  // namespace spoolgate::ftp
