// Process-wide allocator settings for the services.
#pragma once

namespace spoolgate {

// Job data moves through each service in buffers of up to 1 MiB (gRPC
// messages, protobuf strings, socket and file blocks). Two glibc defaults
// cost with such buffers:
// - Each thread that allocates concurrently gets its own arena, and each
//   arena keeps the buffers it freed. With many gRPC threads streaming job
//   data, that retained memory, not live data, set the peak RSS (131 MiB
//   for a 1 GiB job; 90 MiB with one arena, at the same throughput).
// - Freed memory past 128 KiB at the top of the heap goes back to the
//   kernel (and buffers past the mmap threshold get their own mapping), so
//   the next buffer faults in fresh zeroed pages. On the target VM, page
//   faults are expensive: serving a 512 MiB document to an agent took 3.9 s
//   of spooler CPU when this happened, 0.6-1.5 s when it did not.
// Hence one arena, 1 MiB buffers from the heap, and up to 32 MiB of free
// heap kept for reuse. Call first in main().
void ConfigureMalloc();

}  // namespace spoolgate
