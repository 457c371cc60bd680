// spooler: maps flags and the YAML config onto SpoolerOptions and serves.
#include <csignal>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/checksum.h"
#include "lib/base/logging.h"
#include "lib/base/ready_file.h"
#include "lib/base/signals.h"
#include "lib/base/service_start.h"
#include "lib/config/service_config.h"
#include "lib/net/cidr.h"
#include "services/spooler/server.h"
#include "spoolgate/v1/config.pb.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:7600", "gRPC listen address");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9461", "Prometheus /metrics address; empty = off");
ABSL_FLAG(std::string, data_dir, "", "RocksDB data directory (required)");
ABSL_FLAG(std::vector<std::string>, queues, {}, "queues to create at start if missing: a,b,c");
ABSL_FLAG(uint32_t, max_attempts, 5, "print attempts before a job becomes FAILED");
ABSL_FLAG(uint32_t, retry_backoff_seconds, 10, "first retry backoff; doubles per attempt");
ABSL_FLAG(uint32_t, lease_seconds, 120, "job lease without news from the agent");
ABSL_FLAG(uint32_t, history_seconds, 86400, "keep finished job records this long");
ABSL_FLAG(uint64_t, min_free_disk_bytes, 256ull << 20, "refuse jobs below this much free disk");
ABSL_FLAG(uint64_t, default_max_job_bytes, 0, "size limit for queues without their own; 0 = none");
ABSL_FLAG(uint64_t, inline_job_bytes, 256 << 10,
          "a job's documents up to this many bytes in all are stored with its commit record; "
          "larger documents get spool files of their own");
ABSL_FLAG(std::string, document_checksum, "xxh3-128",
          "checksum kept with each document: xxh3-128 (fast; detects changed bytes) or "
          "sha256 (a cryptographic digest, about ten times the CPU)");
ABSL_FLAG(std::vector<std::string>, admin_hosts, {},
          "IP addresses/CIDRs from which root may remove any job");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain: serve gRPC over TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA: require client certificates signed by it");
ABSL_FLAG(std::string, tokens_file, "",
          "who may call the spooler: lines of 'role name credential' (roles intake, agent, "
          "admin; credential sha256:<hex of a bearer token's SHA-256> or cert:<client "
          "certificate name>); without it (and without --admin_token_file) every caller is admin");
ABSL_FLAG(std::string, admin_token_file, "",
          "older form: a file holding one bearer token of the admin role (the token itself)");
ABSL_FLAG(std::string, accounting_log, "",
          "append one JSON line per finished job here (written and synced about once a second; "
          "reopened on SIGHUP for logrotate)");
ABSL_FLAG(uint32_t, accounting_retention_days, 90,
          "keep accounting records in the database (for spoolctl accounting) this long");
ABSL_FLAG(std::string, ready_file, "",
          "write '<grpc port> <metrics port>' here once serving (for scripts and tests)");

namespace {

int Run() {
  spoolgate::v1::SpoolerConfig config;
  if (auto exit_code = spoolgate::LoadServiceConfig(&config)) return *exit_code;
  std::string listen = absl::GetFlag(FLAGS_listen);
  std::string metrics = absl::GetFlag(FLAGS_metrics_listen);
  spoolgate::spooler::SpoolerOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.queues.assign(config.queues().begin(), config.queues().end());
  for (const auto& name : absl::GetFlag(FLAGS_queues)) {
    if (name.empty()) continue;
    spoolgate::v1::Queue q;
    q.set_name(name);
    q.set_accepting(true);
    q.set_enabled(true);
    options.queues.push_back(q);
  }
  options.max_attempts = absl::GetFlag(FLAGS_max_attempts);
  options.retry_backoff = absl::Seconds(absl::GetFlag(FLAGS_retry_backoff_seconds));
  options.lease = absl::Seconds(absl::GetFlag(FLAGS_lease_seconds));
  options.history = absl::Seconds(absl::GetFlag(FLAGS_history_seconds));
  options.min_free_disk_bytes = absl::GetFlag(FLAGS_min_free_disk_bytes);
  options.default_max_job_bytes = absl::GetFlag(FLAGS_default_max_job_bytes);
  options.inline_job_bytes = absl::GetFlag(FLAGS_inline_job_bytes);
  auto checksum = spoolgate::ParseChecksumAlgorithm(absl::GetFlag(FLAGS_document_checksum));
  if (!checksum.ok()) {
    spoolgate::Log("--document_checksum: %s", checksum.status().message());
    return 2;
  }
  options.document_checksum = *checksum;
  options.admin_hosts = absl::GetFlag(FLAGS_admin_hosts);
  options.accounting_log = absl::GetFlag(FLAGS_accounting_log);
  options.accounting_retention = absl::Hours(24) * absl::GetFlag(FLAGS_accounting_retention_days);

  auto authorizer = spoolgate::spooler::Authorizer::FromFiles(absl::GetFlag(FLAGS_tokens_file),
                                                              absl::GetFlag(FLAGS_admin_token_file));
  if (!authorizer.ok()) {
    spoolgate::Log("%s", authorizer.status().ToString());
    return 2;
  }
  spoolgate::TlsFiles tls{absl::GetFlag(FLAGS_tls_client_ca), absl::GetFlag(FLAGS_tls_cert),
                          absl::GetFlag(FLAGS_tls_key)};
  if (authorizer->open() && tls.ca.empty() && !spoolgate::net::IsLoopbackListen(listen)) {
    spoolgate::Log("WARNING: listening on %s without credentials: anyone who reaches this port "
                   "can submit, read and delete every job; use --tokens_file or client "
                   "certificates (--tls_client_ca)", listen);
  }
  auto server = spoolgate::spooler::SpoolerServer::Start(std::move(options), listen, metrics, tls,
                                                         *std::move(authorizer));
  if (!server.ok()) {
    spoolgate::Log("cannot start: %s", server.status().ToString());
    return 1;
  }
  spoolgate::WriteReadyFile(absl::GetFlag(FLAGS_ready_file), {(*server)->port()},
                            (*server)->metrics_port());
  int sig;
  while ((sig = spoolgate::WaitForTerminationOrHangup()) == SIGHUP) {
    if (auto s = (*server)->spooler().ReopenAccountingLog(); !s.ok()) {
      spoolgate::Log("SIGHUP: %s", s.ToString());
    }
  }
  spoolgate::Log("signal %d: shutting down (in-flight transfers get 10 s)", sig);
  (*server)->Shutdown(absl::Seconds(10));
  server->reset();
  spoolgate::Log("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spoolgate::StartService(argc, argv, "spooler",
      "Spoolgate spooler: durable print queue, scheduler and admin API.\n"
      "  spooler --data_dir=DIR [--queues=a,b] [--listen=HOST:PORT] [--config=FILE]");
  return Run();
}
