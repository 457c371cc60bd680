// Bounded I/O on non-blocking file descriptors, and an owning fd.
#pragma once

#include <unistd.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/unique_fd.h"

namespace spoolgate::agent {

using ::spoolgate::UniqueFd;

// Writes all of `data` to a non-blocking fd, waiting at most `timeout` for
// each step of progress. A device that accepts nothing for that long is
// DeadlineExceeded ("stalled"); a vanished one is Unavailable.
absl::Status WriteAll(int fd, absl::string_view data, absl::Duration timeout);

// Maps an errno from open/write on a device to a status with context.
absl::Status DeviceError(int error, absl::string_view what);

}  // namespace spoolgate::agent
