#include "tests/testing/socket_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/time/clock.h"

namespace spoolgate::testing {

SocketSink::SocketSink(size_t bytes_per_10ms, int port) : rate_(bytes_per_10ms) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(fd_, 8);
  socklen_t len = sizeof(addr);
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

SocketSink::~SocketSink() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::vector<std::string> SocketSink::jobs() {
  absl::MutexLock lock(&mu_);
  return jobs_;
}

void SocketSink::Serve() {
  while (!stop_) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    ++connections_;
    std::string data;
    std::vector<char> buffer(rate_ ? rate_ : 1 << 20);
    in_progress_ = 0;
    while (!stop_) {
      if (paused_) {
        absl::SleepFor(absl::Milliseconds(20));
        continue;
      }
      pollfd c{conn, POLLIN, 0};
      if (::poll(&c, 1, 50) <= 0) continue;
      ssize_t n = ::read(conn, buffer.data(), buffer.size());
      if (n <= 0) break;  // EOF or reset
      if (reset_on_data_) {
        linger hard{1, 0};
        ::setsockopt(conn, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
        data.clear();
        break;
      }
      data.append(buffer.data(), static_cast<size_t>(n));
      in_progress_ = data.size();
      if (rate_) absl::SleepFor(absl::Milliseconds(10));
    }
    ::close(conn);
    if (!data.empty()) {
      absl::MutexLock lock(&mu_);
      jobs_.push_back(std::move(data));
    }
  }
}

}  // namespace spoolgate::testing
