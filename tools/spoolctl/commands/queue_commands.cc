#include <iostream>

#include "absl/strings/str_cat.h"
#include "lib/grpc/status_conversion.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/table.h"

namespace spoolgate::spoolctl {

int QueuesCommand(const Context& ctx) {
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::ListQueuesResponse response;
  auto status = stub->ListQueues(&call, v1::ListQueuesRequest(), &response);
  if (!status.ok()) return ReportError("queues", FromGrpcStatus(status));
  if (ctx.json) {
    for (const auto& entry : response.queues()) std::cout << ToJson(entry) << "\n";
    return kExitOk;
  }
  Table table({"QUEUE", "ACCEPTING", "PRINTING", "WAITING", "ACTIVE JOBS", "PRINTERS", "MAX JOB",
               "DESCRIPTION"});
  for (const auto& entry : response.queues()) {
    const auto& q = entry.queue();
    table.AddRow({q.name(), q.accepting() ? "yes" : "no", q.enabled() ? "enabled" : "disabled",
                  absl::StrCat(entry.pending_jobs()), absl::StrCat(entry.printing_jobs()),
                  absl::StrCat(entry.printers()),
                  q.max_job_bytes() ? HumanBytes(q.max_job_bytes()) : "-", q.description()});
  }
  std::cout << table.Render();
  return kExitOk;
}

}  // namespace spoolgate::spoolctl
