#include <iostream>

#include "absl/strings/str_cat.h"
#include "lib/grpc/status_conversion.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/table.h"

namespace spoolgate::spoolctl {
namespace {
std::string StateName(v1::PrinterState state) {
  switch (state) {
    case v1::PRINTER_STATE_IDLE: return "idle";
    case v1::PRINTER_STATE_PRINTING: return "printing";
    case v1::PRINTER_STATE_ERROR: return "error";
    case v1::PRINTER_STATE_STOPPED: return "stopped";
    default: return "unknown";
  }
}
}  // namespace

int PrintersCommand(const Context& ctx) {
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::ListPrintersResponse response;
  auto status = stub->ListPrinters(&call, v1::ListPrintersRequest(), &response);
  if (!status.ok()) return ReportError("printers", FromGrpcStatus(status));
  if (ctx.json) {
    for (const auto& entry : response.printers()) std::cout << ToJson(entry) << "\n";
    return kExitOk;
  }
  Table table({"AGENT", "PRINTER", "QUEUE", "STATE", "REASON", "DEVICE", "JOB", "WRITTEN",
               "DEVICE ID"});
  for (const auto& p : response.printers()) {
    const auto& s = p.status();
    table.AddRow({p.agent_id(), s.name(), s.queue(), StateName(s.state()),
                  s.state_reason().empty() ? "-" : s.state_reason(), s.device_uri(),
                  p.current_job() ? absl::StrCat(p.current_job()) : "-",
                  p.current_job() ? HumanBytes(p.current_job_bytes_written()) : "-",
                  s.device_id().empty() ? "-" : s.device_id()});
  }
  std::cout << table.Render();
  return kExitOk;
}

}  // namespace spoolgate::spoolctl
