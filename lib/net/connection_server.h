// Thread-per-connection TCP server: listens on IP literals, caps the number
// of connections, runs a handler per connection on a thread of its own for
// as long as the connection lasts, and stops gracefully. Threads outlive
// their connections: a finished one waits a while for the next connection
// instead of ending, because most print clients open a connection per job
// and starting a thread cost more than serving a small job. Owns every
// socket and thread it creates.
#pragma once

#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/base/task_pool.h"
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

  // Threads without a connection that are kept, and for how long.
  using ThreadOptions = TaskPool::Options;

  ConnectionServer(int max_connections, Handler handler, Refuser refuser = nullptr);
  ConnectionServer(int max_connections, Handler handler, Refuser refuser, ThreadOptions threads);
  ~ConnectionServer();  // Stop(5 s)

  absl::Status Start(const std::vector<std::string>& listen);
  // Stops accepting; connections get `grace` to finish, then their sockets
  // are shut down and every thread is joined.
  void Stop(absl::Duration grace);
  const std::vector<Endpoint>& bound() const { return bound_; }
  int active() const { return active_.load(); }
  // Threads alive, serving or idle; and those idle.
  int threads() const;
  int idle_threads() const;

 private:
  void Serve(UniqueFd fd, Endpoint peer);
  // On a pool thread: runs the handler, unless the server is closing.
  void ServeOnThisThread(int fd, const Endpoint& peer);

  const int max_connections_;
  Handler handler_;
  Refuser refuser_;
  std::vector<UniqueFd> listeners_;
  std::vector<Endpoint> bound_;
  std::vector<std::thread> acceptors_;
  std::atomic<bool> stop_{false};
  std::atomic<int> active_{0};

  absl::Mutex mu_;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::set<int> serving_ ABSL_GUARDED_BY(mu_);  // fds of handlers running
  TaskPool threads_;  // each serves one connection at a time
};

}  // namespace spoolgate::net
