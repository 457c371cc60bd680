#include "lib/base/signals.h"

#include <pthread.h>
#include <signal.h>

namespace spoolgate {
namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

int Wait(bool hangup) {
  sigset_t set = TerminationSignals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0 || (sig == SIGHUP && !hangup)) {
  }
  return sig;
}
}  // namespace

void BlockTerminationSignals() {
  // A process started in the background by a non-interactive shell inherits
  // SIGINT ignored, and an ignored signal never reaches sigwait().
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A peer closing a socket must be an error return, not a dead process.
  signal(SIGPIPE, SIG_IGN);
}

int WaitForTerminationSignal() { return Wait(/*hangup=*/false); }

int WaitForTerminationOrHangup() { return Wait(/*hangup=*/true); }

}  // namespace spoolgate
