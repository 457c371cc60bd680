#include "services/ftp-gateway/data_connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"

namespace spoolgate::ftp {
namespace {
std::atomic<int> cursor{0};
std::atomic<int> in_use{0};

struct InUse {
  InUse() { ++in_use; }
  ~InUse() { --in_use; }
};
}  // namespace

int PassivePortsInUse() { return in_use.load(); }

absl::StatusOr<PassiveListener> PassiveListener::Open(const std::string& local_ip,
                                                      const PortRange& range) {
  int count = range.low > 0 ? range.high - range.low + 1 : 1;
  int start = cursor.fetch_add(1);
  absl::Status last = absl::UnavailableError("no passive port free");
  for (int i = 0; i < count; ++i) {
    int port = range.low > 0 ? range.low + (start + i) % count : 0;
    net::Endpoint bound;
    auto fd = net::Listen({local_ip, port}, &bound, 1);
    if (fd.ok()) {
      PassiveListener listener;
      listener.fd_ = *std::move(fd);
      listener.port_ = bound.port;
      return listener;
    }
    last = fd.status();
  }
  return last;
}

absl::StatusOr<UniqueFd> PassiveListener::Accept(const std::string& peer_ip, absl::Duration timeout) {
  InUse counted;
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (::poll(&pfd, 1, std::max(ms, 1)) <= 0) continue;
    UniqueFd conn(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) continue;
    net::Endpoint from = net::PeerOf(conn.get());
    if (!SameAddress(from.ip, peer_ip)) {
      Log("passive port %d: refused data connection from %s (control peer is %s)", port_,
          from.ip, peer_ip);
      continue;  // closed by UniqueFd
    }
    fd_.reset();
    return conn;
  }
  fd_.reset();
  return absl::DeadlineExceededError("no data connection within the timeout");
}

absl::StatusOr<UniqueFd> ConnectActive(const HostPort& target, absl::Duration timeout) {
  sockaddr_storage ss{};
  socklen_t len;
  bool v6 = target.ip.find(':') != std::string::npos;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(target.port));
    inet_pton(AF_INET6, target.ip.c_str(), &a->sin6_addr);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(target.port));
    inet_pton(AF_INET, target.ip.c_str(), &a->sin_addr);
    len = sizeof(sockaddr_in);
  }
  UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) return absl::ErrnoToStatus(errno, "connect");
    pollfd pfd{fd.get(), POLLOUT, 0};
    if (::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) {
      return absl::DeadlineExceededError("data connection timed out");
    }
    int error = 0;
    socklen_t elen = sizeof(error);
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &elen);
    if (error != 0) return absl::ErrnoToStatus(error, "connect");
  }
  int flags = 0;  // back to blocking; reads and writes are bounded by poll/SO_*TIMEO
  ::ioctl(fd.get(), FIONBIO, &flags);
  return fd;
}

}  // namespace spoolgate::ftp
