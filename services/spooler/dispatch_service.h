// gRPC Dispatch: agent Attach streams and ReadDocument.
#pragma once

#include "services/spooler/authorizer.h"
#include "services/spooler/spooler.h"
#include "spoolgate/v1/dispatch.grpc.pb.h"

namespace spoolgate::spooler {

class DispatchService final : public v1::Dispatch::Service {
 public:
  DispatchService(Spooler& spooler, const Authorizer& auth) : spooler_(spooler), auth_(auth) {}  // borrowed
  grpc::Status Attach(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SpoolerMessage, v1::AgentMessage>* stream) override;
  grpc::Status ReadDocument(grpc::ServerContext* context,
                            const v1::ReadDocumentRequest* request,
                            grpc::ServerWriter<v1::DocumentData>* writer) override;

 private:
  Spooler& spooler_;
  const Authorizer& auth_;
};

}  // namespace spoolgate::spooler
