// The HTTP/2 receive window of a stream that carries job data (Intake on
// the spooler, ReadDocument on the agent). gRPC's default probes the
// bandwidth-delay product and grows the window, which on loopback only
// grows the buffers: a fixed window of two 1 MiB chunks keeps the receiver
// busy and its memory flat.
#pragma once

namespace spoolgate {

inline constexpr int kStreamWindowBytes = 2 << 20;

}  // namespace spoolgate
