#include "services/spooler/slow_steps.h"

namespace spoolgate::spooler {

void SlowSteps::Run(std::function<void()> step) {
  if (!inline_busy_.exchange(true)) {
    step();
    inline_busy_.store(false);
    return;
  }
  pool_.Run(std::move(step));
}

}  // namespace spoolgate::spooler
