// One line per event on stderr: "2026-11-22T10:00:00.123Z spooler: job 7 committed".
// Thread safe; lines from different threads never interleave.
#pragma once

#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace spoolgate {

// Sets the component name printed on every line (the binary's name).
void SetLogComponent(absl::string_view component);

// Writes one line. Newlines inside `message` are replaced by spaces.
void LogLine(absl::string_view message);

template <typename... Args>
void Log(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogLine(absl::StrFormat(format, args...));
}

}  // namespace spoolgate
