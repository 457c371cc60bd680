#include "lib/base/logging.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace spoolgate {
namespace {
absl::Mutex log_mu;
std::string& Component() {
  static std::string* component = new std::string("spoolgate");
  return *component;
}
}  // namespace

void SetLogComponent(absl::string_view component) {
  absl::MutexLock lock(&log_mu);
  Component() = std::string(component);
}

void LogLine(absl::string_view message) {
  std::string text(message);
  std::replace(text.begin(), text.end(), '\n', ' ');
  absl::MutexLock lock(&log_mu);
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " ", Component(), ": ", text, "\n");
  // One write(2) per line so lines from several processes sharing stderr
  // stay whole too.
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace spoolgate
