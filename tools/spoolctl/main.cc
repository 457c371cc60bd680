// spoolctl: the admin CLI. `spoolctl SUBCOMMAND [ARGS] [--flags]`.
#include <iostream>
#include <map>
#include <string>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "lib/base/command_line.h"
#include "lib/grpc/client_flags.h"
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/flags.h"

namespace {

using spoolgate::spoolctl::Context;

struct Subcommand {
  int (*run)(const Context&);
  const char* usage;
};

int Cancel(const Context& c) { return spoolgate::spoolctl::JobActionCommand(c, "cancel"); }
int Hold(const Context& c) { return spoolgate::spoolctl::JobActionCommand(c, "hold"); }
int Release(const Context& c) { return spoolgate::spoolctl::JobActionCommand(c, "release"); }

const std::map<std::string, Subcommand>& Subcommands() {
  namespace s = spoolgate::spoolctl;
  static const auto* commands = new std::map<std::string, Subcommand>{
      {"print", {s::PrintCommand,
                 "print FILE...|- --queue=Q [--title=T] [--user=U] [--priority=0..25] [--format=raw|f|l|p|r|o]\n"
                 "      [--copies=N] [--banner]\n"
                 "  Sends the files as one job; prints its id. A progress bar shows on a terminal."}},
      {"jobs", {s::JobsCommand,
                "jobs [--queue=Q] [--state=pending,held,...] [--user=U] [--all] [--page_size=N] [--page_token=T]\n"
                "  Lists jobs in print order, a page at a time (the token of the next page goes to\n"
                "  stderr); --all adds finished jobs still in history, newest first."}},
      {"job", {s::JobCommand, "job ID\n  Every attribute of a job, its documents and its print attempts."}},
      {"cancel", {Cancel, "cancel ID... | --queue=Q --all [--reason=TEXT]\n  Cancels jobs (a printing job stops)."}},
      {"hold", {Hold, "hold ID... | --queue=Q --all\n  Keeps pending jobs from printing."}},
      {"release", {Release, "release ID... | --queue=Q --all\n  Lets held jobs print."}},
      {"move", {s::MoveCommand, "move ID... QUEUE\n  Moves waiting jobs to another queue."}},
      {"priority", {s::PriorityCommand, "priority ID N\n  Sets a waiting job's priority (0..25, higher first)."}},
      {"queues", {s::QueuesCommand, "queues\n  Lists queues with their state, jobs and printers."}},
      {"queue", {s::QueueCommand,
                 "queue add|remove|accept|reject|enable|disable|set NAME [--description=D]\n"
                 "      [--max_job_bytes=N] [--max_pending_jobs=N] [--banners] [--reject] [--disable]\n"
                 "  Manages a queue (like lpc): accept/reject new jobs, enable/disable printing."}},
      {"printer", {s::PrinterCommand,
                   "printer stop|start NAME [--reason=TEXT]\n"
                   "  Stops a printer (it finishes its current job, then takes no more) or starts it.\n"
                   "  NAME is AGENT/PRINTER as `spoolctl printers` shows, or PRINTER if unique."}},
      {"accounting", {s::AccountingCommand,
                      "accounting [--since=24h|DATE] [--until=DATE] [--json|--csv]\n"
                      "  One line per finished job: queue, printer, user, host, title, protocol,\n"
                      "  bytes, copies, times, outcome and reason."}},
      {"quota", {s::QuotaCommand,
                 "quota show USER\n  What USER has used of each queue's quota (jobs and bytes in its period)."}},
      {"printers", {s::PrintersCommand,
                    "printers\n  Attached printers: agent, device, state and reason, current job."}},
      {"watch", {s::WatchCommand,
                 "watch [--interval_seconds=2] [--iterations=N]\n"
                 "  A live view of queues, printers and printing jobs, redrawn in place."}},
  };
  return *commands;
}

std::string Usage() {
  std::string out =
      "Spoolgate admin CLI.  spoolctl SUBCOMMAND [ARGS] [--flags]\n\nSubcommands:\n";
  for (const auto& [name, command] : Subcommands()) {
    out += "  spoolctl " + std::string(command.usage).substr(0, std::string(command.usage).find('\n')) + "\n";
  }
  out +=
      "\nCommon flags: --spooler=HOST:PORT (default 127.0.0.1:7600), --json (one JSON object per line),\n"
      "  --tls_ca=PEM [--tls_cert=PEM --tls_key=PEM] for TLS, --token_file=FILE (its bearer token,\n"
      "  usually of the admin role).\n"
      "Exit codes: 0 ok, 1 refused by the spooler, 2 usage, 3 spooler unavailable.\n"
      "spoolctl SUBCOMMAND --help explains one subcommand.";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.version_string = [] { return std::string("spoolctl " SPOOLGATE_VERSION "\n"); };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(Usage());
  // "spoolctl SUB --help": that subcommand's help, not every flag of absl.
  std::string subcommand;
  bool help = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "-help") help = true;
    if (subcommand.empty() && !arg.empty() && arg[0] != '-') subcommand = arg;
  }
  if (help && Subcommands().count(subcommand)) {
    std::cout << "usage: spoolctl " << Subcommands().at(subcommand).usage << "\n";
    return 0;
  }
  // "spoolctl --help": our overview only (absl would add its flag listing,
  // which for a program without flags of its own main file says nothing).
  if (help) {
    std::cout << Usage() << "\n";
    return 0;
  }
  spoolgate::RememberCommandLine(argc, argv);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << Usage() << "\n";
    return spoolgate::spoolctl::kExitUsage;
  }
  auto it = Subcommands().find(positional[1]);
  if (it == Subcommands().end()) {
    std::cerr << "spoolctl: unknown command '" << positional[1] << "'\n\n" << Usage() << "\n";
    return spoolgate::spoolctl::kExitUsage;
  }
  Context ctx;
  auto channel = spoolgate::SpoolerChannelFromFlags(absl::GetFlag(FLAGS_spooler));
  if (!channel.ok()) {
    std::cerr << "spoolctl: " << channel.status().message() << "\n";
    return spoolgate::spoolctl::kExitUsage;
  }
  ctx.channel = *channel;
  ctx.json = absl::GetFlag(FLAGS_json);
  ctx.args.assign(positional.begin() + 2, positional.end());
  return it->second.run(ctx);
}
