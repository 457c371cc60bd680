#include "lib/base/mutex_checks.h"

#include "absl/synchronization/mutex.h"

namespace spoolgate {

void ConfigureMutexChecks() {
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

}  // namespace spoolgate
