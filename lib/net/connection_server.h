// Thread-per-connection TCP server: listens on IP literals, caps the number
// of connections, runs a handler per connection on its own thread, and
// stops gracefully. Owns every socket and thread it creates.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/base/unique_fd.h"
#include "lib/net/tcp_listener.h"

namespace spoolgate::net {

class ConnectionServer {
 public:
  // Serves one connection; `fd` stays owned by the server and is closed
  // after the handler returns.
  using Handler = std::function<void(int fd, const Endpoint& peer)>;
  // Called instead of the handler when `max_connections` are open (e.g. to
  // write "421 too many connections"); may be null.
  using Refuser = std::function<void(int fd, const Endpoint& peer)>;

  ConnectionServer(int max_connections, Handler handler, Refuser refuser = nullptr);
  ~ConnectionServer();  // Stop(5 s)

  absl::Status Start(const std::vector<std::string>& listen);
  // Stops accepting; connections get `grace` to finish, then their sockets
  // are shut down and their threads joined.
  void Stop(absl::Duration grace);
  const std::vector<Endpoint>& bound() const { return bound_; }
  int active() const { return active_.load(); }

 private:
  void Serve(UniqueFd fd, Endpoint peer);
  void ReapFinished();

  const int max_connections_;
  Handler handler_;
  Refuser refuser_;
  std::vector<UniqueFd> listeners_;
  std::vector<Endpoint> bound_;
  std::vector<std::thread> acceptors_;
  std::atomic<bool> stop_{false};
  std::atomic<int> active_{0};
  struct Connection {
    std::thread thread;
    std::atomic<bool> done{false};
    UniqueFd fd;
  };
  absl::Mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace spoolgate::net
