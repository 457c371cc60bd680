// Process resource limits the services adjust at start.
#pragma once

#include <cstdint>

namespace spoolgate {

// Raises the soft limit on open files towards `wanted` (never above the hard
// limit, never lowering it) and returns the soft limit now in force. Most
// systems start processes at 1,024 open files: too few for thousands of
// connections.
uint64_t RaiseOpenFileLimit(uint64_t wanted);

}  // namespace spoolgate
