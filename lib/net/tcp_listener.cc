#include "lib/net/tcp_listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace spoolgate::net {
namespace {

Endpoint FromSockaddr(const sockaddr_storage& ss) {
  Endpoint e;
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    e.port = ntohs(in->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    e.port = ntohs(in6->sin6_port);
    // Show IPv4-mapped peers as plain IPv4.
    if (absl::string_view(text).rfind("::ffff:", 0) == 0 && std::strchr(text + 7, '.') != nullptr) {
      std::memmove(text, text + 7, std::strlen(text + 7) + 1);
    }
  }
  e.ip = text;
  return e;
}

}  // namespace

absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view text) {
  Endpoint e;
  absl::string_view host, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find("]:");
    if (close == absl::string_view::npos) return absl::InvalidArgumentError(absl::StrCat("bad address '", text, "'"));
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == absl::string_view::npos) return absl::InvalidArgumentError(absl::StrCat("no port in '", text, "'"));
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!absl::SimpleAtoi(port, &e.port) || e.port < 0 || e.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in '", text, "'"));
  }
  std::string h(host);
  unsigned char buf[16];
  if (inet_pton(AF_INET, h.c_str(), buf) != 1 && inet_pton(AF_INET6, h.c_str(), buf) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("'", host, "' is not an IP address"));
  }
  e.ip = h;
  return e;
}

std::string FormatEndpoint(const Endpoint& e) {
  if (e.ip.find(':') != std::string::npos) return absl::StrCat("[", e.ip, "]:", e.port);
  return absl::StrCat(e.ip, ":", e.port);
}

absl::StatusOr<UniqueFd> Listen(const Endpoint& endpoint, Endpoint* bound, int backlog) {
  sockaddr_storage ss{};
  socklen_t len;
  bool v6 = endpoint.ip.find(':') != std::string::npos;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(endpoint.port));
    inet_pton(AF_INET6, endpoint.ip.c_str(), &in6->sin6_addr);
    len = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(endpoint.port));
    inet_pton(AF_INET, endpoint.ip.c_str(), &in->sin_addr);
    len = sizeof(sockaddr_in);
  }
  UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (v6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("bind ", FormatEndpoint(endpoint)));
  }
  if (::listen(fd.get(), backlog) != 0) return absl::ErrnoToStatus(errno, "listen");
  if (bound != nullptr) *bound = LocalOf(fd.get());
  return fd;
}

Endpoint PeerOf(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return FromSockaddr(ss);
}

Endpoint LocalOf(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return FromSockaddr(ss);
}

void AcceptLoop(int listen_fd, const std::atomic<bool>& stop,
                const std::function<void(UniqueFd, Endpoint)>& on_connection) {
  while (!stop.load()) {
    pollfd pfd{listen_fd, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        ::poll(nullptr, 0, 100);  // out of resources: let connections finish
      }
      continue;
    }
    UniqueFd conn(fd);
    Endpoint peer = PeerOf(fd);
    on_connection(std::move(conn), peer);
  }
}

}  // namespace spoolgate::net
