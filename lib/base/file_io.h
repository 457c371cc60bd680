// Small helpers for file I/O with errno: the status a failed call maps to,
// and turning O_DIRECT off on a file system that refuses it.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace spoolgate {

// "<what>: <strerror>", as RESOURCE_EXHAUSTED for a full disk or quota
// (a client may retry later), NOT_FOUND for ENOENT, else UNAVAILABLE.
absl::Status FileError(int error, absl::string_view what);

// Clears O_DIRECT on `fd` if it is set; false if it was not set or could
// not be cleared (then the caller's EINVAL stands).
bool ClearDirectIo(int fd);

}  // namespace spoolgate
