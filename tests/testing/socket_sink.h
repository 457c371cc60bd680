// A simulated AppSocket (port 9100) printer on loopback for end-to-end
// tests: records each non-empty connection as a job, reading at most
// `bytes_per_10ms` per 10 ms (0 = as fast as it can), and can be told to
// stop reading for a while, as a printer out of paper or jammed does.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace spoolgate::testing {

class SocketSink {
 public:
  // `port` 0 picks a free one.
  explicit SocketSink(size_t bytes_per_10ms = 0, int port = 0);
  ~SocketSink();
  SocketSink(const SocketSink&) = delete;
  SocketSink& operator=(const SocketSink&) = delete;

  int port() const { return port_; }
  // The finished connections' bytes, in order.
  std::vector<std::string> jobs();
  // Bytes read so far on the current connection.
  size_t bytes_in_progress() const { return in_progress_.load(); }
  // Connections accepted so far.
  int connections() const { return connections_.load(); }
  // While paused, the sink reads nothing (the sender's writes then block
  // once the socket buffers are full); the connection stays open.
  void set_paused(bool paused) { paused_ = paused; }
  // Resets every connection as soon as data arrives on it (a printer that
  // accepts a connection and then fails the job); a connection that sends
  // nothing, as a probe, is closed normally.
  void set_reset_on_data(bool reset) { reset_on_data_ = reset; }

 private:
  void Serve();

  size_t rate_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false}, paused_{false}, reset_on_data_{false};
  std::atomic<size_t> in_progress_{0};
  std::atomic<int> connections_{0};
  absl::Mutex mu_;
  std::vector<std::string> jobs_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace spoolgate::testing
