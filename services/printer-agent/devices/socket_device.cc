#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
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
  // Half-close, then wait for the printer to close its side: it has then
  // read the whole job. Bytes it has not acknowledged yet (SIOCOUTQ) may
  // still be lost, so while any remain the wait is a write's wait: a
  // printer that stalls is waited for as long as the stall hook says
  // (without one, until the write timeout), and the job is not reported
  // printed meanwhile. Once every byte is acknowledged, a printer that
  // keeps its side open (some never close it) is taken at its word after
  // the write timeout. Errors leave the connection to AbortJob, which
  // resets it so that the printer drops what it has of the job.
  if (::shutdown(fd_.get(), SHUT_WR) != 0) return DeviceError(errno, "finishing the job");
  const absl::Duration tick =
      stall_hook_ ? std::min(absl::Seconds(1), options_.write_timeout) : options_.write_timeout;
  absl::Time last_progress = absl::Now();
  int unacknowledged = 0;
  if (::ioctl(fd_.get(), SIOCOUTQ, &unacknowledged) != 0) unacknowledged = 0;
  char buffer[4096];
  while (true) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(tick)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return DeviceError(errno, "waiting for the printer to finish");
    if (ready > 0) {
      ssize_t n = ::read(fd_.get(), buffer, sizeof(buffer));
      if (n == 0) break;  // the printer closed: done
      if (n > 0) continue;  // status the printer sends back: not looked at
      if (errno == EAGAIN || errno == EINTR) continue;
      // A reset instead of a close: the printer may not have taken the job.
      return DeviceError(errno, "waiting for the printer to finish");
    }
    int queued = 0;
    if (::ioctl(fd_.get(), SIOCOUTQ, &queued) != 0) queued = 0;
    if (queued < unacknowledged) last_progress = absl::Now();
    unacknowledged = queued;
    absl::Duration stalled = absl::Now() - last_progress;
    if (stalled >= options_.write_timeout && queued == 0) break;  // all acknowledged
    if (stall_hook_) {
      if (absl::Status s = stall_hook_(stalled); !s.ok()) return s;
      continue;
    }
    if (stalled < options_.write_timeout) continue;
    return absl::DeadlineExceededError(absl::StrCat(
        "device stalled: ", queued, " bytes of the job not taken for ",
        absl::FormatDuration(stalled)));
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
