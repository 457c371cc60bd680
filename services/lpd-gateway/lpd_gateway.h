// The LPD gateway core: listeners, the connection cap, and one LpdSession
// per connection. Stateless: jobs stream straight to the spooler.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/grpc/connections.h"
#include "lib/intake/queue_list_cache.h"
#include "lib/net/cidr.h"
#include "lib/net/connection_server.h"
#include "services/lpd-gateway/lpd_metrics.h"

namespace spoolgate::lpd {

struct LpdOptions {
  std::vector<std::string> listen = {"0.0.0.0:515"};
  std::string spooler = "127.0.0.1:7600";
  std::shared_ptr<grpc::Channel> channel;  // to the spooler; null = plain TCP to `spooler`
  // Sessions take turns on these (separate connections to the spooler);
  // empty = all on `channel`.
  std::vector<std::shared_ptr<grpc::Channel>> session_channels;
  int max_connections = 4096;
  absl::Duration idle_timeout = absl::Seconds(60);    // no byte from the peer this long
  absl::Duration zero_count_silence = absl::Milliseconds(300);  // lone \0 then quiet = empty file
  size_t max_line_bytes = 1024;
  size_t max_control_bytes = 64 << 10;
  int max_files_per_job = 1000;
  std::vector<net::Cidr> allowed_hosts;                     // empty = everyone
  std::map<std::string, std::vector<net::Cidr>> queue_hosts;  // per queue; absent = global rule
  bool require_reserved_port = false;                       // source port 721-731 (RFC 1179 3.1)
  absl::Duration lpq_recent = absl::Minutes(10);  // lpq lists jobs finished this recently; 0 = none
  absl::Duration queue_list_max_age = absl::Seconds(2);  // the shared queue list's refresh
};

// What a receive-job command needs to know of a queue before it is answered.
struct LpdQueue {
  std::string name;
  bool accepting = true;
};
using LpdQueueCache = QueueListCache<LpdQueue>;

// The spooler's queues, for the cache.
absl::StatusOr<std::vector<LpdQueue>> FetchLpdQueues(const std::shared_ptr<grpc::Channel>& channel);

class LpdGateway {
 public:
  // `metrics` may be null; it must outlive the gateway.
  LpdGateway(LpdOptions options, LpdMetrics* metrics);

  absl::Status Start() { return server_.Start(options_.listen); }
  // Transfers in flight get `grace`; uncommitted jobs are then discarded.
  void Stop(absl::Duration grace) { server_.Stop(grace); }
  const std::vector<net::Endpoint>& bound() const { return server_.bound(); }

 private:
  void Serve(int fd, const net::Endpoint& peer);

  const LpdOptions options_;
  LpdMetrics* const metrics_;
  std::shared_ptr<grpc::Channel> channel_;
  ChannelTurns session_channels_;
  LpdQueueCache queues_;
  net::ConnectionServer server_;  // last: stopped before the rest goes
};

}  // namespace spoolgate::lpd
