#include "services/printer-agent/devices/fd_io.h"

#include <errno.h>
#include <poll.h>

#include <algorithm>
#include <string.h>

#include "absl/strings/str_cat.h"

namespace spoolgate::agent {

absl::Status DeviceError(int error, absl::string_view what) {
  std::string message = absl::StrCat(what, ": ", strerror(error));
  switch (error) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
    case EIO:
    case EPIPE:
    case ECONNREFUSED:
    case ECONNRESET:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EBUSY:
      return absl::UnavailableError(message);
    case ENOSPC:
      return absl::ResourceExhaustedError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ETIMEDOUT:
      return absl::DeadlineExceededError(message);
    default:
      return absl::UnknownError(message);
  }
}

absl::Status WriteAll(int fd, absl::string_view data, absl::Duration timeout,
                      const StallHook& hook) {
  size_t done = 0;
  absl::Time last_progress = absl::Now();
  // With a hook the wait is cut in ticks so the hook sees it; without one,
  // in a single poll of the whole timeout.
  const absl::Duration tick = hook ? std::min(absl::Seconds(1), timeout) : timeout;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      last_progress = absl::Now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return DeviceError(errno, "write");
    pollfd pfd{fd, POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(tick)));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      absl::Duration stalled = absl::Now() - last_progress;
      if (hook) {
        if (absl::Status s = hook(stalled); !s.ok()) return s;
        continue;
      }
      return absl::DeadlineExceededError(absl::StrCat(
          "device stalled: nothing accepted for ", absl::FormatDuration(stalled)));
    }
    if (ready < 0) return DeviceError(errno, "poll");
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
      if (!(pfd.revents & POLLOUT)) return absl::UnavailableError("device went away");
    }
  }
  return absl::OkStatus();
}

}  // namespace spoolgate::agent
