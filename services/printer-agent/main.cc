// printer-agent: maps flags and the YAML config onto AgentOptions and runs.
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "lib/base/command_line.h"
#include "lib/base/logging.h"
#include "lib/base/signals.h"
#include "lib/base/service_start.h"
#include "lib/config/service_config.h"
#include "lib/grpc/client_flags.h"
#include "lib/metrics/metrics_server.h"
#include "services/printer-agent/agent.h"
#include "spoolgate/v1/config.pb.h"

ABSL_FLAG(std::string, spooler, "127.0.0.1:7600", "spooler gRPC address HOST:PORT");
ABSL_FLAG(std::vector<std::string>, printer, {},
          "NAME=QUEUE=URI; repeat the flag for several printers");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9464", "Prometheus /metrics address; empty = off");
ABSL_FLAG(std::string, agent_id, "", "agent name (default: host name)");
ABSL_FLAG(uint32_t, write_timeout_seconds, 60, "a device accepting nothing this long is stalled");

namespace {

// The printers of the command line and of the config file (printer and
// printers keys), the latter read again on every SIGHUP.
absl::StatusOr<std::vector<spoolgate::agent::PrinterConfig>> Printers(
    const spoolgate::v1::AgentConfig& config) {
  std::vector<spoolgate::agent::PrinterConfig> printers;
  for (const auto& p : config.printers()) printers.push_back({p.name(), p.queue(), p.uri()});
  // absl keeps only the last of repeated --printer flags; the command line
  // has them all. From the config file, `printer` is a list.
  std::vector<std::string> printer_flags = spoolgate::FlagGiven("printer")
                                               ? spoolgate::FlagValues("printer")
                                               : absl::GetFlag(FLAGS_printer);
  for (const auto& flag : printer_flags) {
    auto printer = spoolgate::agent::ParsePrinterFlag(flag);
    if (!printer.ok()) return printer.status();
    printers.push_back(*printer);
  }
  return printers;
}

int Run() {
  spoolgate::v1::AgentConfig config;
  if (auto exit_code = spoolgate::LoadServiceConfig(&config)) return *exit_code;
  spoolgate::agent::AgentOptions options;
  options.spooler = absl::GetFlag(FLAGS_spooler);
  options.agent_id = absl::GetFlag(FLAGS_agent_id);
  options.device.write_timeout = absl::Seconds(absl::GetFlag(FLAGS_write_timeout_seconds));
  options.tls = spoolgate::ClientTlsFromFlags();
  if (auto s = spoolgate::LoadCallTokenFromFlags(); !s.ok()) {
    spoolgate::Log("%s", s.ToString());
    return 2;
  }
  auto printers = Printers(config);
  if (!printers.ok()) {
    spoolgate::Log("%s", printers.status().ToString());
    return 2;
  }
  options.printers = *printers;
  std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  std::unique_ptr<spoolgate::MetricsServer> metrics_server;
  std::unique_ptr<spoolgate::agent::AgentMetrics> metrics;
  if (!metrics_listen.empty()) {
    auto server = spoolgate::MetricsServer::Start(metrics_listen);
    if (!server.ok()) {
      spoolgate::Log("%s", server.status().ToString());
      return 1;
    }
    metrics_server = *std::move(server);
    metrics = std::make_unique<spoolgate::agent::AgentMetrics>(metrics_server->registry());
  }
  auto agent = spoolgate::agent::Agent::Create(std::move(options), metrics.get());
  if (!agent.ok()) {
    spoolgate::Log("cannot start: %s", agent.status().ToString());
    return 2;
  }
  std::thread runner([&] { (*agent)->Run(); });
  int sig;
  while ((sig = spoolgate::WaitForTerminationOrHangup()) == SIGHUP) {
    // Printers change while the others keep printing.
    spoolgate::Log("SIGHUP: reading the printers again");
    spoolgate::v1::AgentConfig reread;
    absl::Status loaded = spoolgate::ReloadServiceConfig(&reread);
    auto now = loaded.ok() ? Printers(reread)
                           : absl::StatusOr<std::vector<spoolgate::agent::PrinterConfig>>(loaded);
    if (auto s = now.ok() ? (*agent)->Reconfigure(*now) : now.status(); !s.ok()) {
      spoolgate::Log("SIGHUP: printers unchanged: %s", s.ToString());
    }
  }
  spoolgate::Log("signal %d: stopping; jobs in flight go back to the spooler", sig);
  (*agent)->Stop();
  runner.join();
  agent->reset();
  spoolgate::Log("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spoolgate::StartService(argc, argv, "printer-agent",
      "Spoolgate printer agent: prints the spooler's jobs on local devices.\n"
      "  printer-agent --spooler=HOST:PORT --printer=NAME=QUEUE=URI [--printer=...]\n"
      "  URIs: usb:/dev/usb/lp0 usb:?serial=SN parallel:/dev/lp0 socket://IP:9100 file:/path dir:/path");
  return Run();
}
