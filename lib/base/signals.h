// Blocks SIGTERM, SIGINT and SIGHUP in every thread and waits for them on
// demand, so that services shut down (or reload) from ordinary code instead
// of a signal handler. A service that does not wait for SIGHUP ignores it.
#pragma once

namespace spoolgate {

// Call first in main(), before any thread starts: threads inherit the mask.
void BlockTerminationSignals();

// Waits until SIGTERM or SIGINT arrives and returns its number.
int WaitForTerminationSignal();

// Waits until SIGTERM, SIGINT or SIGHUP arrives and returns its number.
int WaitForTerminationOrHangup();

}  // namespace spoolgate
