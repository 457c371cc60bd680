// gRPC Intake: drives one Submission per Submit stream.
//
// Submit is served with gRPC's callback API: each message is handled on the
// thread that received it, instead of being handed from gRPC's I/O thread
// to a thread parked in a blocking Read. On this path, a job's handful of
// messages otherwise cost a thread switch each, which measured as the
// spooler's largest CPU cost for small jobs. Steps that may wait for the
// disk run on a pool of threads of their own, except one at a time
// (SlowSteps).
#pragma once

#include "services/spooler/authorizer.h"
#include "services/spooler/slow_steps.h"
#include "services/spooler/spooler.h"
#include "spoolgate/v1/intake.grpc.pb.h"

namespace spoolgate::spooler {

// Submit takes its messages as gRPC's raw buffers, so that a chunk's bytes
// go from the received slices to their destination in one copy (see
// ChunkDataOf); every other message is parsed as usual.
class IntakeService final : public v1::Intake::WithRawCallbackMethod_Submit<v1::Intake::Service> {
 public:
  // All borrowed.
  IntakeService(Spooler& spooler, const Authorizer& auth, SlowSteps& slow)
      : spooler_(spooler), auth_(auth), slow_(slow) {}
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Submit(
      grpc::CallbackServerContext* context) override;

 private:
  Spooler& spooler_;
  const Authorizer& auth_;
  SlowSteps& slow_;
};

}  // namespace spoolgate::spooler
