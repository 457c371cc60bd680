// gRPC Intake: drives one Submission per Submit stream.
#pragma once

#include "services/spooler/authorizer.h"
#include "services/spooler/spooler.h"
#include "spoolgate/v1/intake.grpc.pb.h"

namespace spoolgate::spooler {

class IntakeService final : public v1::Intake::Service {
 public:
  IntakeService(Spooler& spooler, const Authorizer& auth) : spooler_(spooler), auth_(auth) {}  // borrowed
  grpc::Status Submit(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream) override;

 private:
  Spooler& spooler_;
  const Authorizer& auth_;
};

}  // namespace spoolgate::spooler
