#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "services/printer-agent/devices/devices.h"

namespace spoolgate::agent {

absl::StatusOr<UniqueFd> SocketDevice::Open() {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(port_);
  // The host is the admin's configuration, not wire input: names are allowed.
  if (int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(absl::StrCat(host_, ": ", gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  absl::Status last = absl::UnavailableError(absl::StrCat(host_, ": no address"));
  std::string where = absl::StrCat("connect ", host_, ":", port_);
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
      last = DeviceError(errno, "socket");
      continue;
    }
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    if (errno != EINPROGRESS) {
      last = DeviceError(errno, where);
      continue;
    }
    pollfd pfd{fd.get(), POLLOUT, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(options_.connect_timeout)));
    if (ready == 0) {
      last = absl::UnavailableError(absl::StrCat(where, ": timed out"));
      continue;
    }
    int error = 0;
    socklen_t len = sizeof(error);
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
    if (ready > 0 && error == 0) return fd;
    last = DeviceError(error != 0 ? error : errno, where);
  }
  return last;
}

absl::Status SocketDevice::EndJob() {
  // Half-close, then wait (bounded) for the printer to close its side: it
  // has then taken the whole job.
  ::shutdown(fd_.get(), SHUT_WR);
  char buffer[4096];
  absl::Time deadline = absl::Now() + options_.write_timeout;
  while (absl::Now() < deadline) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())));
    if (ready <= 0) break;
    ssize_t n = ::read(fd_.get(), buffer, sizeof(buffer));
    if (n == 0) break;                      // printer closed: done
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      // A reset instead of a close: the printer may not have taken the job.
      int error = errno;
      fd_.reset();
      return DeviceError(error, "waiting for the printer to finish");
    }
  }
  fd_.reset();
  return absl::OkStatus();
}

void SocketDevice::AbortJob() {
  if (fd_.valid()) {
    // RST instead of FIN, so the printer drops the partial job.
    linger hard{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  }
  fd_.reset();
}

}  // namespace spoolgate::agent
