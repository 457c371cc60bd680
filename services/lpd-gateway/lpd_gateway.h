// The LPD gateway core: listeners, the connection cap, and one session
// thread per connection. Stateless: jobs stream straight to the spooler.
//
// Thread safety: Start/Stop from one thread; sessions run on their own.
#pragma once

#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/net/cidr.h"
#include "lib/net/tcp_listener.h"
#include "services/lpd-gateway/lpd_metrics.h"

namespace spoolgate::lpd {

struct LpdOptions {
  std::vector<std::string> listen = {"0.0.0.0:515"};
  std::string spooler = "127.0.0.1:7600";
  int max_connections = 256;
  absl::Duration idle_timeout = absl::Seconds(60);    // no byte from the peer this long
  absl::Duration zero_count_silence = absl::Milliseconds(300);  // lone \0 then quiet = empty file
  size_t max_line_bytes = 1024;
  size_t max_control_bytes = 64 << 10;
  int max_files_per_job = 1000;
  std::vector<net::Cidr> allowed_hosts;                     // empty = everyone
  std::map<std::string, std::vector<net::Cidr>> queue_hosts;  // per queue; absent = global rule
  bool require_reserved_port = false;                       // source port 721-731 (RFC 1179 3.1)
};

class LpdGateway {
 public:
  // `metrics` may be null; it must outlive the gateway.
  LpdGateway(LpdOptions options, LpdMetrics* metrics);
  ~LpdGateway();

  // Binds every --listen address and starts accepting.
  absl::Status Start();
  // Stops accepting; sessions in flight get `grace` to finish, then their
  // sockets are shut down (the spooler discards uncommitted jobs).
  void Stop(absl::Duration grace);
  std::vector<net::Endpoint> bound() const { return bound_; }

 private:
  void Serve(UniqueFd fd, net::Endpoint peer);
  void ReapFinished();

  const LpdOptions options_;
  LpdMetrics* const metrics_;
  std::shared_ptr<grpc::Channel> channel_;
  std::vector<UniqueFd> listeners_;
  std::vector<net::Endpoint> bound_;
  std::vector<std::thread> acceptors_;
  std::atomic<bool> stop_{false};
  std::atomic<int> active_{0};

  struct Session {
    std::thread thread;
    std::atomic<bool> done{false};
    UniqueFd fd;  // closed when the entry is reaped, after the thread ended
  };
  absl::Mutex mu_;
  std::list<std::unique_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace spoolgate::lpd
