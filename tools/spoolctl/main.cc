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
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/flags.h"

namespace {

constexpr char kUsage[] =
    "Spoolgate admin CLI.\n"
    "  spoolctl print FILE... --queue=Q [--title=T] [--user=U] [--priority=0..25] [--format=raw]\n"
    "  spoolctl jobs [--queue=Q] [--all]\n"
    "  spoolctl queues\n"
    "  spoolctl cancel ID...\n"
    "  spoolctl printers\n"
    "Common flags: --spooler=HOST:PORT (default 127.0.0.1:7600), --json.\n"
    "Exit codes: 0 ok, 1 refused by the spooler, 2 usage, 3 spooler unavailable.";

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.version_string = [] { return std::string("spoolctl " SPOOLGATE_VERSION "\n"); };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << kUsage << "\n";
    return spoolgate::spoolctl::kExitUsage;
  }
  using Command = int (*)(const spoolgate::spoolctl::Context&);
  const std::map<std::string, Command> commands = {
      {"print", spoolgate::spoolctl::PrintCommand},
      {"jobs", spoolgate::spoolctl::JobsCommand},
      {"queues", spoolgate::spoolctl::QueuesCommand},
      {"cancel", spoolgate::spoolctl::CancelCommand},
      {"printers", spoolgate::spoolctl::PrintersCommand},
  };
  auto it = commands.find(positional[1]);
  if (it == commands.end()) {
    std::cerr << "spoolctl: unknown command '" << positional[1] << "'\n" << kUsage << "\n";
    return spoolgate::spoolctl::kExitUsage;
  }
  spoolgate::spoolctl::Context ctx;
  ctx.channel = grpc::CreateChannel(absl::GetFlag(FLAGS_spooler),
                                    grpc::InsecureChannelCredentials());
  ctx.json = absl::GetFlag(FLAGS_json);
  ctx.args.assign(positional.begin() + 2, positional.end());
  return it->second(ctx);
}
