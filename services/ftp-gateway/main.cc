// ftp-gateway: maps flags and the YAML config onto FtpOptions and serves.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/logging.h"
#include "lib/base/process_limits.h"
#include "lib/base/ready_file.h"
#include "lib/base/service_start.h"
#include "lib/base/signals.h"
#include "lib/config/service_config.h"
#include "lib/grpc/client_flags.h"
#include "lib/metrics/metrics_server.h"
#include "services/ftp-gateway/ftp_gateway.h"
#include "spoolgate/v1/config.pb.h"

ABSL_FLAG(std::vector<std::string>, listen, std::vector<std::string>({"0.0.0.0:21"}),
          "listen addresses, IP literals: 0.0.0.0:21,[::]:21");
ABSL_FLAG(std::string, spooler, "127.0.0.1:7600", "spooler gRPC address HOST:PORT");
ABSL_FLAG(int32_t, spooler_connections, 4,
          "HTTP/2 connections to the spooler; sessions take turns on them, so that uploads do "
          "not share one connection's flow-control window and transport thread");
ABSL_FLAG(std::string, passive_ports, "", "passive data ports LO-HI (default: any)");
ABSL_FLAG(std::string, public_address, "", "IPv4 address announced in PASV replies (NAT)");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9463", "Prometheus /metrics address; empty = off");
ABSL_FLAG(int32_t, max_sessions, 4096, "sessions at once; more get 421 (Jetdirect: 4)");
ABSL_FLAG(int32_t, idle_timeout_seconds, 270, "close idle control connections (421)");
ABSL_FLAG(int32_t, data_timeout_seconds, 60, "data connection setup and stall timeout");
ABSL_FLAG(std::string, default_queue, "",
          "queue for put FILE at / (a Jetdirect's default port); empty = the first queue");
ABSL_FLAG(std::string, ftps_cert, "",
          "PEM certificate chain for FTPS (RFC 4217: AUTH TLS, PBSZ, PROT); empty = no FTPS");
ABSL_FLAG(std::string, ftps_key, "", "PEM private key of --ftps_cert");
ABSL_FLAG(bool, ftps_required, false,
          "with --ftps_cert: refuse USER before AUTH TLS (530) and data connections in clear");
ABSL_FLAG(std::string, users_file, "", "user:crypt-hash lines; empty = any user and password");
ABSL_FLAG(std::string, ready_file, "",
          "once listening, write the bound ports here (line 1) and the metrics port (line 2)");

namespace {

// The options the flags (and the config file behind them) give.
absl::StatusOr<spoolgate::ftp::FtpOptions> OptionsFromFlags() {
  spoolgate::ftp::FtpOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.spooler = absl::GetFlag(FLAGS_spooler);
  options.public_address = absl::GetFlag(FLAGS_public_address);
  options.default_queue = absl::GetFlag(FLAGS_default_queue);
  options.max_sessions = absl::GetFlag(FLAGS_max_sessions);
  options.idle_timeout = absl::Seconds(absl::GetFlag(FLAGS_idle_timeout_seconds));
  options.data_timeout = absl::Seconds(absl::GetFlag(FLAGS_data_timeout_seconds));
  if (std::string range = absl::GetFlag(FLAGS_passive_ports); !range.empty()) {
    std::vector<std::string> parts = absl::StrSplit(range, '-');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &options.passive_ports.low) ||
        !absl::SimpleAtoi(parts[1], &options.passive_ports.high) ||
        options.passive_ports.low < 1 || options.passive_ports.high < options.passive_ports.low ||
        options.passive_ports.high > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("--passive_ports=", range, ": expected LO-HI"));
    }
  }
  if (!absl::GetFlag(FLAGS_ftps_cert).empty() || !absl::GetFlag(FLAGS_ftps_key).empty()) {
    auto tls = spoolgate::ftp::TlsServerContext::Load(absl::GetFlag(FLAGS_ftps_cert),
                                                      absl::GetFlag(FLAGS_ftps_key));
    if (!tls.ok()) return absl::InvalidArgumentError(absl::StrCat("FTPS: ", tls.status().ToString()));
    options.tls = *tls;
  }
  options.tls_required = absl::GetFlag(FLAGS_ftps_required);
  if (options.tls_required && !options.tls) {
    return absl::InvalidArgumentError("--ftps_required needs --ftps_cert and --ftps_key");
  }
  if (!absl::GetFlag(FLAGS_users_file).empty()) {
    auto auth = spoolgate::ftp::LoadUsersFile(absl::GetFlag(FLAGS_users_file));
    if (!auth.ok()) return absl::InvalidArgumentError(auth.status().ToString());
    options.authenticate = *auth;
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  spoolgate::StartService(argc, argv, "ftp-gateway",
      "Spoolgate FTP print server (Jetdirect style): cd QUEUE, put FILE.\n"
      "  ftp-gateway --spooler=HOST:PORT [--listen=0.0.0.0:21] [--passive_ports=30000-30100]");
  spoolgate::v1::FtpGatewayConfig config;
  if (auto exit_code = spoolgate::LoadServiceConfig(&config)) return *exit_code;

  auto parsed = OptionsFromFlags();
  if (!parsed.ok()) {
    spoolgate::Log("%s", parsed.status().message());
    return 2;
  }
  spoolgate::ftp::FtpOptions options = *std::move(parsed);
  // A session holds its control socket and, while transferring, a data
  // socket and maybe a passive listener.
  spoolgate::RaiseOpenFileLimitOrWarn(
      3 * uint64_t(options.max_sessions) + 256,
      absl::StrCat("--max_sessions=", options.max_sessions, " transferring sessions"));
  std::unique_ptr<spoolgate::MetricsServer> metrics_server;
  std::unique_ptr<spoolgate::ftp::FtpMetrics> metrics;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    auto server = spoolgate::MetricsServer::Start(absl::GetFlag(FLAGS_metrics_listen));
    if (!server.ok()) {
      spoolgate::Log("%s", server.status().ToString());
      return 1;
    }
    metrics_server = *std::move(server);
    metrics = std::make_unique<spoolgate::ftp::FtpMetrics>(metrics_server->registry());
  }
  auto channels = spoolgate::SpoolerChannelsFromFlags(
      options.spooler, absl::GetFlag(FLAGS_spooler_connections));
  if (!channels.ok()) {
    spoolgate::Log("%s", channels.status().ToString());
    return 2;
  }
  options.channel = channels->front();  // also for queue lists
  options.session_channels = *std::move(channels);
  spoolgate::ftp::FtpGateway gateway(options, metrics.get());
  if (auto s = gateway.Start(); !s.ok()) {
    spoolgate::Log("cannot start: %s", s.ToString());
    return 1;
  }
  std::vector<int> ports;
  for (const auto& endpoint : gateway.bound()) ports.push_back(endpoint.port);
  spoolgate::WriteReadyFile(absl::GetFlag(FLAGS_ready_file), ports,
                            metrics_server ? metrics_server->port() : 0);
  int sig = spoolgate::WaitForTerminationSignal();
  spoolgate::Log("signal %d: stopping; uploads in flight get 10 s", sig);
  gateway.Stop(absl::Seconds(10));
  spoolgate::Log("stopped");
  return 0;
}
