// gRPC Dispatch: agent Attach streams and ReadDocument.
//
// Attach is served with gRPC's callback API, like Intake.Submit: an agent's
// messages are applied on the thread that received them, and the messages
// for it are written from whichever thread queued them, instead of each
// passing through a reading and a writing thread of the stream's own.
// ReadDocument stays synchronous: it streams a document with blocking
// reads of the disk.
#pragma once

#include "services/spooler/authorizer.h"
#include "services/spooler/slow_steps.h"
#include "services/spooler/spooler.h"
#include "spoolgate/v1/dispatch.grpc.pb.h"

namespace spoolgate::spooler {

class DispatchService final : public v1::Dispatch::WithCallbackMethod_Attach<v1::Dispatch::Service> {
 public:
  // All borrowed.
  DispatchService(Spooler& spooler, const Authorizer& auth, SlowSteps& slow)
      : spooler_(spooler), auth_(auth), slow_(slow) {}
  grpc::ServerBidiReactor<v1::AgentMessage, v1::SpoolerMessage>* Attach(
      grpc::CallbackServerContext* context) override;
  grpc::Status ReadDocument(grpc::ServerContext* context,
                            const v1::ReadDocumentRequest* request,
                            grpc::ServerWriter<v1::DocumentData>* writer) override;

 private:
  Spooler& spooler_;
  const Authorizer& auth_;
  SlowSteps& slow_;
};

}  // namespace spoolgate::spooler
