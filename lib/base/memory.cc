#include "lib/base/memory.h"

#include <malloc.h>

namespace spoolgate {

void ConfigureMalloc() {
  mallopt(M_ARENA_MAX, 1);
  // Setting these turns off glibc's dynamic thresholds.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

}  // namespace spoolgate
