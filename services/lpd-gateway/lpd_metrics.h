// Every metric the LPD gateway exports, declared in one place.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace spoolgate::lpd {

struct LpdMetrics {
  explicit LpdMetrics(prometheus::Registry& registry);
  prometheus::Counter& connections;
  prometheus::Gauge& active_connections;
  prometheus::Family<prometheus::Counter>& jobs_accepted;  // {queue}
  prometheus::Family<prometheus::Counter>& jobs_refused;   // {reason}
  prometheus::Counter& bytes_received;
  prometheus::Histogram& ack_latency;  // file end received -> ack sent
};

}  // namespace spoolgate::lpd
