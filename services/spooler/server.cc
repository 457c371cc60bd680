#include "services/spooler/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/grpc/flow_control.h"

namespace spoolgate::spooler {
namespace {
// Threads of the gRPC server kept waiting for work (see Start).
constexpr int kMinIdleThreads = 4;
constexpr int kMaxIdleThreads = 16;
}  // namespace

absl::StatusOr<std::unique_ptr<SpoolerServer>> SpoolerServer::Start(
    SpoolerOptions options, const std::string& listen, const std::string& metrics_listen,
    const TlsFiles& tls, Authorizer authorizer) {
  auto credentials = MakeServerCredentials(tls);
  if (!credentials.ok()) return credentials.status();
  auto server = std::unique_ptr<SpoolerServer>(new SpoolerServer());
  server->authorizer_ = std::move(authorizer);
  if (!metrics_listen.empty()) {
    auto metrics = MetricsServer::Start(metrics_listen);
    if (!metrics.ok()) return metrics.status();
    server->metrics_ = *std::move(metrics);
  }
  auto spooler = Spooler::Open(std::move(options),
                               server->metrics_ ? &server->metrics_->registry() : nullptr);
  if (!spooler.ok()) return spooler.status();
  server->spooler_ = *std::move(spooler);
  server->intake_ =
      std::make_unique<IntakeService>(*server->spooler_, server->authorizer_, server->slow_steps_);
  server->dispatch_ =
      std::make_unique<DispatchService>(*server->spooler_, server->authorizer_, server->slow_steps_);
  server->admin_ = std::make_unique<AdminService>(*server->spooler_, server->authorizer_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, *credentials, &server->port_);
  builder.RegisterService(server->intake_.get());
  builder.RegisterService(server->dispatch_.get());
  builder.RegisterService(server->admin_.get());
  // Notice agents that vanished without closing their connection.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // A fixed receive window per stream instead of BDP probing: probing grew
  // it until a 1 GiB upload held ~60 MiB in transport buffers (peak RSS
  // 94 MiB); a 2 MiB window (two 1 MiB chunks) measured as fast, at 34 MiB.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kStreamWindowBytes);
  // gRPC's sync server keeps at most two idle threads by default and ends
  // the rest, so a few job streams at a time made it start and end a thread
  // for about every other job (1,138 threads for 2,000 LPD jobs, a tenth of
  // the spooler's CPU). Idle threads cost a stack; starting them costs CPU.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, kMinIdleThreads);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxIdleThreads);
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  }
  auto* health = server->server_->GetHealthCheckService();
  for (const char* name : {"", "spoolgate.v1.Intake", "spoolgate.v1.Dispatch", "spoolgate.v1.Admin"}) {
    health->SetServingStatus(name, true);
  }
  Log("serving gRPC%s on port %d, metrics on port %d; %s", tls.empty() ? "" : " over TLS",
      server->port_, server->metrics_port(),
      server->authorizer_.open() ? "no credentials: every caller is an admin"
                                 : "every call needs a credential of a role");
  return server;
}

void SpoolerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->Shutdown();
  spooler_->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  slow_steps_.Stop();
}

SpoolerServer::~SpoolerServer() {
  if (server_) Shutdown(absl::Seconds(5));
}

}  // namespace spoolgate::spooler
