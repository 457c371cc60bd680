// Process-wide allocator settings for the services.
#pragma once

namespace spoolgate {

// glibc gives each thread that allocates concurrently its own arena, and
// each arena keeps the 1 MiB message buffers it freed. With many gRPC
// threads streaming job data, that retained memory, not live data, set the
// peak RSS (131 MiB for a 1 GiB job; 90 MiB with one arena, at the same
// throughput). Call first in main().
void LimitMallocArenas();

}  // namespace spoolgate
