#include "lib/grpc/waiting_call.h"

#include "lib/grpc/tls.h"

namespace spoolgate {

void PrepareWaitingCall(grpc::ClientContext* context, absl::Duration deadline) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  context->set_wait_for_ready(true);
  AddCallToken(context);
}

}  // namespace spoolgate
