#include "lib/base/memory.h"

#include <malloc.h>

namespace spoolgate {

void LimitMallocArenas() { mallopt(M_ARENA_MAX, 1); }

}  // namespace spoolgate
