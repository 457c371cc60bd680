// Bounded I/O on non-blocking file descriptors, and an owning fd.
#pragma once

#include <unistd.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/unique_fd.h"
#include "services/printer-agent/device.h"

namespace spoolgate::agent {

using ::spoolgate::UniqueFd;

// Writes all of `data` to a non-blocking fd. While the fd takes nothing,
// `hook` (if set) is called about once a second and decides: keep waiting
// (OK) or give up (its status). Without a hook a device that takes nothing
// for `timeout` is DeadlineExceeded ("stalled"). A vanished device is
// Unavailable.
absl::Status WriteAll(int fd, absl::string_view data, absl::Duration timeout,
                      const StallHook& hook = nullptr);

// Maps an errno from open/write on a device to a status with context.
absl::Status DeviceError(int error, absl::string_view what);

}  // namespace spoolgate::agent
