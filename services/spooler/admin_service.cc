#include "services/spooler/admin_service.h"

#include "lib/grpc/status_conversion.h"

namespace spoolgate::spooler {
namespace {
template <typename T>
grpc::Status Reply(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}
}  // namespace

grpc::Status AdminService::ListQueues(Ctx* ctx, const v1::ListQueuesRequest*,
                                      v1::ListQueuesResponse* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.ListQueues"); !who.ok()) return ToGrpcStatus(who.status());
  for (auto& entry : spooler_.ListQueues()) *response->add_queues() = std::move(entry);
  return grpc::Status::OK;
}

grpc::Status AdminService::CreateQueue(Ctx* ctx, const v1::CreateQueueRequest* request,
                                       v1::Queue* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.CreateQueue"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.CreateQueue(request->queue()), response);
}

grpc::Status AdminService::DeleteQueue(Ctx* ctx, const v1::DeleteQueueRequest* request,
                                       v1::DeleteQueueResponse*) {
  if (auto who = auth_.Authorize(*ctx, "Admin.DeleteQueue"); !who.ok()) return ToGrpcStatus(who.status());
  return ToGrpcStatus(spooler_.DeleteQueue(request->name()));
}

grpc::Status AdminService::UpdateQueue(Ctx* ctx, const v1::UpdateQueueRequest* request,
                                       v1::Queue* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.UpdateQueue"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.UpdateQueue(*request), response);
}

grpc::Status AdminService::ListJobs(Ctx* ctx, const v1::ListJobsRequest* request,
                                    v1::ListJobsResponse* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.ListJobs"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.ListJobs(*request), response);
}

grpc::Status AdminService::GetJob(Ctx* ctx, const v1::GetJobRequest* request, v1::Job* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.GetJob"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.GetJob(request->id()), response);
}

grpc::Status AdminService::CancelJob(Ctx* ctx, const v1::JobIdRequest* request, v1::Job* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.CancelJob"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.CancelJob(request->id(), request->reason()), response);
}

grpc::Status AdminService::HoldJob(Ctx* ctx, const v1::JobIdRequest* request, v1::Job* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.HoldJob"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.HoldJob(request->id()), response);
}

grpc::Status AdminService::ReleaseJob(Ctx* ctx, const v1::JobIdRequest* request, v1::Job* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.ReleaseJob"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.ReleaseJob(request->id()), response);
}

grpc::Status AdminService::MoveJob(Ctx* ctx, const v1::MoveJobRequest* request, v1::Job* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.MoveJob"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.MoveJob(request->id(), request->queue()), response);
}

grpc::Status AdminService::SetJobPriority(Ctx* ctx, const v1::SetJobPriorityRequest* request,
                                          v1::Job* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.SetJobPriority"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.SetJobPriority(request->id(), request->priority()), response);
}

grpc::Status AdminService::RemoveJobs(Ctx* ctx, const v1::RemoveJobsRequest* request,
                                      v1::RemoveJobsResponse* response) {
  auto who = auth_.Authorize(*ctx, "Admin.RemoveJobs");
  if (!who.ok()) return ToGrpcStatus(who.status());
  // A gateway removes jobs only on behalf of the user who asked; the spooler
  // applies the ownership rule to that user.
  if (who->role != Role::kAdmin && request->requester_user().empty()) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "the intake role removes jobs only on behalf of a named requester"));
  }
  return Reply(spooler_.RemoveJobs(*request), response);
}

grpc::Status AdminService::ListPrinters(Ctx* ctx, const v1::ListPrintersRequest*,
                                        v1::ListPrintersResponse* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.ListPrinters"); !who.ok()) return ToGrpcStatus(who.status());
  for (auto& entry : spooler_.ListPrinters()) *response->add_printers() = std::move(entry);
  return grpc::Status::OK;
}

grpc::Status AdminService::ListAccounting(Ctx* ctx, const v1::ListAccountingRequest* request,
                                          v1::ListAccountingResponse* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.ListAccounting"); !who.ok()) return ToGrpcStatus(who.status());
  auto records = spooler_.ListAccounting(*request);
  if (!records.ok()) return ToGrpcStatus(records.status());
  for (auto& r : *records) *response->add_records() = std::move(r);
  return grpc::Status::OK;
}

grpc::Status AdminService::GetQuota(Ctx* ctx, const v1::GetQuotaRequest* request,
                                    v1::GetQuotaResponse* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.GetQuota"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.GetQuota(request->user()), response);
}

grpc::Status AdminService::StopPrinter(Ctx* ctx, const v1::PrinterRequest* request,
                                       v1::PrinterResponse* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.StopPrinter"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.StopPrinter(request->name(), request->reason()), response);
}

grpc::Status AdminService::StartPrinter(Ctx* ctx, const v1::PrinterRequest* request,
                                        v1::PrinterResponse* response) {
  if (auto who = auth_.Authorize(*ctx, "Admin.StartPrinter"); !who.ok()) return ToGrpcStatus(who.status());
  return Reply(spooler_.StartPrinter(request->name()), response);
}

}  // namespace spoolgate::spooler
