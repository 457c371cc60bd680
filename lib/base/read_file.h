// A whole small file (config, certificate, token) as a string.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace spoolgate {

// NotFound ("cannot read PATH") if it cannot be opened.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace spoolgate
