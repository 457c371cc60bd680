// FTP data connections with the anti-bounce rules of docs/protocols.md: active
// (PORT/EPRT) connections go only to the control connection's peer, and a
// passive listener accepts only that peer.
#pragma once

#include <atomic>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/base/unique_fd.h"
#include "lib/net/tcp_listener.h"
#include "services/ftp-gateway/host_port.h"

namespace spoolgate::ftp {

struct PortRange {
  int low = 0;   // 0 = any port the kernel picks
  int high = 0;
};

// A passive listener on the control connection's local address.
class PassiveListener {
 public:
  // Binds a port from `range` (tried round-robin from a shared cursor).
  static absl::StatusOr<PassiveListener> Open(const std::string& local_ip, const PortRange& range);
  int port() const { return port_; }
  // Waits up to `timeout` for the client; connections from any other
  // address are closed and ignored. Consumes the listener.
  absl::StatusOr<UniqueFd> Accept(const std::string& peer_ip, absl::Duration timeout);

 private:
  UniqueFd fd_;
  int port_ = 0;
};

// Connects to `target`, which the session already checked is the peer.
absl::StatusOr<UniqueFd> ConnectActive(const HostPort& target, absl::Duration timeout);

// Passive ports in use, for the metrics gauge.
int PassivePortsInUse();

}  // namespace spoolgate::ftp
