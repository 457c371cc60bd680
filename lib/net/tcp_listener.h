// Listening TCP sockets on IP literals ("0.0.0.0:515", "[::]:515"), never
// host names, and a bounded accept loop.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/unique_fd.h"

namespace spoolgate::net {

struct Endpoint {
  std::string ip;  // "127.0.0.1" or "::1"
  int port = 0;
};

// "[v6]:port" or "v4:port"; the address must be an IP literal.
absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view text);
// "ip:port" or "[ip]:port".
std::string FormatEndpoint(const Endpoint& endpoint);

// Binds and listens (SO_REUSEADDR; IPV6_V6ONLY for v6 so v4 and v6 may be
// bound separately). Returns the socket; `bound` gets the real port.
absl::StatusOr<UniqueFd> Listen(const Endpoint& endpoint, Endpoint* bound, int backlog = 128);

// The peer of an accepted socket.
Endpoint PeerOf(int fd);
Endpoint LocalOf(int fd);

// Accepts until `stop` is set, checking it at least every 200 ms. Running
// out of descriptors (EMFILE) pauses briefly instead of spinning.
void AcceptLoop(int listen_fd, const std::atomic<bool>& stop,
                const std::function<void(UniqueFd, Endpoint)>& on_connection);

}  // namespace spoolgate::net
