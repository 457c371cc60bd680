#include "services/lpd-gateway/lpd_metrics.h"

namespace spoolgate::lpd {

LpdMetrics::LpdMetrics(prometheus::Registry& registry)
    : connections(prometheus::BuildCounter()
                      .Name("spoolgate_lpd_connections_total")
                      .Help("LPD connections accepted")
                      .Register(registry)
                      .Add({})),
      active_connections(prometheus::BuildGauge()
                             .Name("spoolgate_lpd_active_connections")
                             .Help("LPD connections open now")
                             .Register(registry)
                             .Add({})),
      jobs_accepted(prometheus::BuildCounter()
                        .Name("spoolgate_lpd_jobs_received_total")
                        .Help("Jobs committed to the spooler")
                        .Register(registry)),
      jobs_refused(prometheus::BuildCounter()
                       .Name("spoolgate_lpd_jobs_refused_total")
                       .Help("Jobs refused or discarded, by reason")
                       .Register(registry)),
      bytes_received(prometheus::BuildCounter()
                         .Name("spoolgate_lpd_bytes_received_total")
                         .Help("Data file bytes received")
                         .Register(registry)
                         .Add({})),
      ack_latency(prometheus::BuildHistogram()
                      .Name("spoolgate_lpd_ack_latency_seconds")
                      .Help("From a file's last byte to its ack (spooler sync included)")
                      .Register(registry)
                      .Add({}, prometheus::Histogram::BucketBoundaries{
                                   0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25, 0.5, 1, 2.5, 5})) {}

}  // namespace spoolgate::lpd
