#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "tools/spoolctl/flags.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/grpc/status_conversion.h"
#include "lib/model/printer_state.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/table.h"

namespace spoolgate::spoolctl {

std::string PrinterTable(const v1::ListPrintersResponse& response);

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
  std::cout << PrinterTable(response);
  return kExitOk;
}

std::string PrinterTable(const v1::ListPrintersResponse& response) {
  Table table({"AGENT", "PRINTER", "QUEUE", "STATE", "SINCE", "REASON", "DEVICE", "JOB",
               "WRITTEN", "DEVICE ID"});
  for (const auto& p : response.printers()) {
    const auto& s = p.status();
    table.AddRow({p.agent_id(), s.name(), s.queue(), PrinterStateLabel(s.state()),
                  HumanTime(s.state_since_unix_micros()),
                  s.state_reason().empty() ? "-" : s.state_reason(), s.device_uri(),
                  p.current_job() ? absl::StrCat(p.current_job()) : "-",
                  p.current_job() ? HumanBytes(p.current_job_bytes_written()) : "-",
                  s.device_id().empty() ? "-" : s.device_id()});
  }
  return table.Render();
}

int PrinterCommand(const Context& ctx) {
  if (ctx.args.size() != 2 || (ctx.args[0] != "stop" && ctx.args[0] != "start")) {
    std::cerr << "usage: spoolctl printer stop|start NAME [--reason=TEXT]\n";
    return kExitUsage;
  }
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::PrinterRequest request;
  request.set_name(ctx.args[1]);
  request.set_reason(absl::GetFlag(FLAGS_reason));
  v1::PrinterResponse response;
  auto status = ctx.args[0] == "stop" ? stub->StopPrinter(&call, request, &response)
                                      : stub->StartPrinter(&call, request, &response);
  if (!status.ok()) {
    return ReportError(absl::StrCat("printer ", ctx.args[0], " ", ctx.args[1]), FromGrpcStatus(status));
  }
  if (ctx.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << "printer " << response.name() << ": "
              << (ctx.args[0] == "stop" ? "stopped" : "started") << "\n";
  }
  return kExitOk;
}

// A live view: queues, printers and the jobs printing now with progress,
// redrawn in place on a terminal.
int WatchCommand(const Context& ctx) {
  auto stub = v1::Admin::NewStub(ctx.channel);
  bool tty = isatty(STDOUT_FILENO) == 1;
  int iterations = absl::GetFlag(FLAGS_iterations);
  for (int n = 0; iterations == 0 || n < iterations; ++n) {
    if (n > 0) absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_interval_seconds)));
    grpc::ClientContext q_call, p_call, j_call;
    SetDeadline(&q_call);
    SetDeadline(&p_call);
    SetDeadline(&j_call);
    v1::ListQueuesResponse queues;
    v1::ListPrintersResponse printers;
    v1::ListJobsResponse jobs;
    v1::ListJobsRequest printing;
    printing.add_states(v1::JOB_STATE_PRINTING);
    auto status = stub->ListQueues(&q_call, v1::ListQueuesRequest(), &queues);
    if (status.ok()) status = stub->ListPrinters(&p_call, v1::ListPrintersRequest(), &printers);
    if (status.ok()) status = stub->ListJobs(&j_call, printing, &jobs);
    if (!status.ok()) return ReportError("watch", FromGrpcStatus(status));
    if (ctx.json) {
      std::cout << "{\"queues\":" << ToJson(queues) << ",\"printers\":" << ToJson(printers)
                << ",\"printing\":" << ToJson(jobs) << "}" << std::endl;
      continue;
    }
    std::ostringstream view;
    view << "Spoolgate  " << absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::Now(), absl::LocalTimeZone())
         << "\n\n";
    Table q({"QUEUE", "ACCEPTING", "PRINTING", "WAITING", "ACTIVE", "PRINTERS"});
    for (const auto& e : queues.queues()) {
      q.AddRow({e.queue().name(), e.queue().accepting() ? "yes" : "no",
                e.queue().enabled() ? "enabled" : "disabled", absl::StrCat(e.pending_jobs()),
                absl::StrCat(e.printing_jobs()), absl::StrCat(e.printers())});
    }
    view << q.Render() << "\n" << PrinterTable(printers) << "\n";
    Table p({"JOB", "QUEUE", "USER", "TITLE", "PRINTER", "PROGRESS"});
    for (const auto& job : jobs.jobs()) {
      p.AddRow({absl::StrCat(job.id()), job.queue(), job.user(), job.title(), job.printer(),
                ProgressBar(job.progress())});
    }
    view << p.Render();
    if (tty) std::cout << "\x1b[H\x1b[2J";  // redraw in place
    std::cout << view.str() << std::flush;
  }
  return kExitOk;
}

}  // namespace spoolgate::spoolctl
