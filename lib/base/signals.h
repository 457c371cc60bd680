// Blocks SIGTERM/SIGINT in every thread and waits for one on demand, so that
// services shut down from ordinary code instead of a signal handler.
#pragma once

namespace spoolgate {

// Call first in main(), before any thread starts: threads inherit the mask.
void BlockTerminationSignals();

// Waits until SIGTERM or SIGINT arrives and returns its number.
int WaitForTerminationSignal();

}  // namespace spoolgate
