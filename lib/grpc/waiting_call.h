// A call a gateway makes while its own client waits for the answer (the
// queue list, before a receive-job ack or an FTP command's reply).
#pragma once

#include <grpcpp/client_context.h>

#include "absl/time/time.h"

namespace spoolgate {

// Gives `context` a short deadline within which the call waits for a
// channel that is not connected yet, which rides out a spooler that is just
// starting or restarting instead of failing at once; and this process's
// token (AddCallToken).
void PrepareWaitingCall(grpc::ClientContext* context, absl::Duration deadline = absl::Seconds(3));

}  // namespace spoolgate
