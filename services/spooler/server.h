// Wires the Spooler core to a gRPC server (Intake, Dispatch, Admin, health,
// reflection) and to the metrics endpoint. Used by main.cc and by tests.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"
#include "lib/grpc/tls.h"
#include "lib/metrics/metrics_server.h"
#include "services/spooler/admin_service.h"
#include "services/spooler/authorizer.h"
#include "services/spooler/dispatch_service.h"
#include "services/spooler/intake_service.h"
#include "services/spooler/spooler.h"

namespace spoolgate::spooler {

class SpoolerServer {
 public:
  // Opens the spooler and starts serving on `listen` ("host:port", port 0 =
  // any) and metrics on `metrics_listen` (empty = no metrics endpoint).
  // `tls`: server certificate/key and, to require client certificates, a
  // client CA (all empty = plain TCP). `authorizer`: who may call what (the
  // default lets every caller do everything).
  static absl::StatusOr<std::unique_ptr<SpoolerServer>> Start(SpoolerOptions options,
                                                              const std::string& listen,
                                                              const std::string& metrics_listen,
                                                              const TlsFiles& tls = {},
                                                              Authorizer authorizer = {});
  ~SpoolerServer();

  int port() const { return port_; }
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  Spooler& spooler() { return *spooler_; }

  // Refuses new jobs, lets transfers in flight finish for up to `grace`,
  // then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  SpoolerServer() = default;
  Authorizer authorizer_;
  std::unique_ptr<MetricsServer> metrics_;
  std::unique_ptr<Spooler> spooler_;
  SlowSteps slow_steps_;  // the services' steps that may wait for the disk
  std::unique_ptr<IntakeService> intake_;
  std::unique_ptr<DispatchService> dispatch_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace spoolgate::spooler
