// Abseil's mutexes check lock order for deadlocks unless told not to, and
// Debian builds the library that way: every lock and unlock then updates a
// process-wide graph of lock orders. Our test builds (no NDEBUG) keep the
// checks; release builds turn them off, as Abseil's own release builds do.
#pragma once

namespace spoolgate {

// Call at the start of main(), before any thread starts.
void ConfigureMutexChecks();

}  // namespace spoolgate
