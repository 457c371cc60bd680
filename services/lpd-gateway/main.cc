// lpd-gateway: maps flags and the YAML config onto LpdOptions and serves.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/process_limits.h"
#include "lib/base/ready_file.h"
#include "lib/base/service_start.h"
#include "lib/base/signals.h"
#include "lib/config/service_config.h"
#include "lib/grpc/client_flags.h"
#include "lib/metrics/metrics_server.h"
#include "services/lpd-gateway/lpd_gateway.h"
#include "spoolgate/v1/config.pb.h"

ABSL_FLAG(std::vector<std::string>, listen, std::vector<std::string>({"0.0.0.0:515"}),
          "listen addresses, IP literals: 0.0.0.0:515,[::]:515");
ABSL_FLAG(std::string, spooler, "127.0.0.1:7600", "spooler gRPC address HOST:PORT");
ABSL_FLAG(int32_t, spooler_connections, 4,
          "HTTP/2 connections to the spooler; sessions take turns on them, so that uploads do "
          "not share one connection's flow-control window and transport thread");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9462", "Prometheus /metrics address; empty = off");
ABSL_FLAG(int32_t, max_connections, 4096,
          "connections open at once; one more gets code 2 (try again later) and is closed");
ABSL_FLAG(int32_t, idle_timeout_seconds, 60, "close a connection whose peer sends nothing this long");
ABSL_FLAG(std::vector<std::string>, allow, {}, "client addresses/CIDRs allowed (default: all)");
ABSL_FLAG(std::string, ready_file, "",
          "once listening, write the bound ports here (line 1) and the metrics port (line 2)");
ABSL_FLAG(int32_t, lpq_recent_seconds, 600,
          "lpq also lists jobs that finished this recently, with their outcome; 0 = only waiting jobs");
ABSL_FLAG(bool, require_reserved_port, false, "only accept source ports 721-731 (RFC 1179)");

int main(int argc, char** argv) {
  spoolgate::StartService(argc, argv, "lpd-gateway",
      "Spoolgate LPD gateway (RFC 1179): lpr/lpq/lprm into the spooler.\n"
      "  lpd-gateway --spooler=HOST:PORT [--listen=0.0.0.0:515,[::]:515]");

  spoolgate::v1::LpdGatewayConfig config;
  if (auto exit_code = spoolgate::LoadServiceConfig(&config)) return *exit_code;
  spoolgate::lpd::LpdOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.spooler = absl::GetFlag(FLAGS_spooler);
  options.max_connections = absl::GetFlag(FLAGS_max_connections);
  // A connection is a socket; listeners, the spooler channel and logs need a few more.
  spoolgate::RaiseOpenFileLimitOrWarn(
      uint64_t(options.max_connections) + 256,
      absl::StrCat("--max_connections=", options.max_connections, " connections"));
  options.idle_timeout = absl::Seconds(absl::GetFlag(FLAGS_idle_timeout_seconds));
  options.require_reserved_port = absl::GetFlag(FLAGS_require_reserved_port);
  options.lpq_recent = absl::Seconds(absl::GetFlag(FLAGS_lpq_recent_seconds));
  auto ranges = spoolgate::net::ParseCidrList(absl::GetFlag(FLAGS_allow));
  if (!ranges.ok()) {
    spoolgate::Log("--allow: %s", ranges.status().ToString());
    return 2;
  }
  options.allowed_hosts = *ranges;
  for (const auto& [queue, list] : config.queue_allow()) {
    auto queue_ranges = spoolgate::net::ParseCidrList({list.cidrs().begin(), list.cidrs().end()});
    if (!queue_ranges.ok()) {
      spoolgate::Log("queue_allow %s: %s", queue, queue_ranges.status().ToString());
      return 2;
    }
    options.queue_hosts[queue] = *queue_ranges;
  }

  std::unique_ptr<spoolgate::MetricsServer> metrics_server;
  std::unique_ptr<spoolgate::lpd::LpdMetrics> metrics;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    auto server = spoolgate::MetricsServer::Start(absl::GetFlag(FLAGS_metrics_listen));
    if (!server.ok()) {
      spoolgate::Log("%s", server.status().ToString());
      return 1;
    }
    metrics_server = *std::move(server);
    metrics = std::make_unique<spoolgate::lpd::LpdMetrics>(metrics_server->registry());
  }
  auto channels = spoolgate::SpoolerChannelsFromFlags(
      options.spooler, absl::GetFlag(FLAGS_spooler_connections));
  if (!channels.ok()) {
    spoolgate::Log("%s", channels.status().ToString());
    return 2;
  }
  options.channel = channels->front();  // also for queue lists
  options.session_channels = *std::move(channels);
  spoolgate::lpd::LpdGateway gateway(options, metrics.get());
  if (auto s = gateway.Start(); !s.ok()) {
    spoolgate::Log("cannot start: %s", s.ToString());
    return 1;
  }
  std::vector<int> ports;
  for (const auto& endpoint : gateway.bound()) ports.push_back(endpoint.port);
  spoolgate::WriteReadyFile(absl::GetFlag(FLAGS_ready_file), ports,
                            metrics_server ? metrics_server->port() : 0);
  int sig = spoolgate::WaitForTerminationSignal();
  spoolgate::Log("signal %d: stopping; transfers in flight get 10 s", sig);
  gateway.Stop(absl::Seconds(10));
  spoolgate::Log("stopped");
  return 0;
}
