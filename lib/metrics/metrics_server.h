// Serves /metrics for one process: a prometheus-cpp Exposer on
// --metrics_listen and the Registry every component registers into.
#pragma once

#include <memory>
#include <string>

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"

namespace spoolgate {

class MetricsServer {
 public:
  // Starts listening on `address` ("0.0.0.0:9461", "127.0.0.1:0").
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& address);

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }
  int port() const;  // the bound port, useful with ":0"

 private:
  MetricsServer() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace spoolgate
