// Bounded I/O on non-blocking file descriptors, and an owning fd.
#pragma once

#include <unistd.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace spoolgate::agent {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Writes all of `data` to a non-blocking fd, waiting at most `timeout` for
// each step of progress. A device that accepts nothing for that long is
// DeadlineExceeded ("stalled"); a vanished one is Unavailable.
absl::Status WriteAll(int fd, absl::string_view data, absl::Duration timeout);

// Maps an errno from open/write on a device to a status with context.
absl::Status DeviceError(int error, absl::string_view what);

}  // namespace spoolgate::agent
