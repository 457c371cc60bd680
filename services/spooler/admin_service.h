// gRPC Admin: a thin mapping of each rpc onto Spooler, after authorization.
#pragma once

#include "services/spooler/authorizer.h"
#include "services/spooler/spooler.h"
#include "spoolgate/v1/admin.grpc.pb.h"

namespace spoolgate::spooler {

class AdminService final : public v1::Admin::Service {
 public:
  // Both borrowed; `auth` decides who may call what.
  AdminService(Spooler& spooler, const Authorizer& auth) : spooler_(spooler), auth_(auth) {}
  using Ctx = grpc::ServerContext;
  grpc::Status ListQueues(Ctx*, const v1::ListQueuesRequest*, v1::ListQueuesResponse*) override;
  grpc::Status CreateQueue(Ctx*, const v1::CreateQueueRequest*, v1::Queue*) override;
  grpc::Status DeleteQueue(Ctx*, const v1::DeleteQueueRequest*, v1::DeleteQueueResponse*) override;
  grpc::Status UpdateQueue(Ctx*, const v1::UpdateQueueRequest*, v1::Queue*) override;
  grpc::Status ListJobs(Ctx*, const v1::ListJobsRequest*, v1::ListJobsResponse*) override;
  grpc::Status GetJob(Ctx*, const v1::GetJobRequest*, v1::Job*) override;
  grpc::Status CancelJob(Ctx*, const v1::JobIdRequest*, v1::Job*) override;
  grpc::Status HoldJob(Ctx*, const v1::JobIdRequest*, v1::Job*) override;
  grpc::Status ReleaseJob(Ctx*, const v1::JobIdRequest*, v1::Job*) override;
  grpc::Status MoveJob(Ctx*, const v1::MoveJobRequest*, v1::Job*) override;
  grpc::Status SetJobPriority(Ctx*, const v1::SetJobPriorityRequest*, v1::Job*) override;
  grpc::Status RemoveJobs(Ctx*, const v1::RemoveJobsRequest*, v1::RemoveJobsResponse*) override;
  grpc::Status ListPrinters(Ctx*, const v1::ListPrintersRequest*,
                            v1::ListPrintersResponse*) override;
  grpc::Status StopPrinter(Ctx*, const v1::PrinterRequest*, v1::PrinterResponse*) override;
  grpc::Status GetQuota(Ctx*, const v1::GetQuotaRequest*, v1::GetQuotaResponse*) override;
  grpc::Status ListAccounting(Ctx*, const v1::ListAccountingRequest*,
                              v1::ListAccountingResponse*) override;
  grpc::Status StartPrinter(Ctx*, const v1::PrinterRequest*, v1::PrinterResponse*) override;

 private:
  Spooler& spooler_;
  const Authorizer& auth_;
};

}  // namespace spoolgate::spooler
