// Every metric the printer agent exports, declared in one place.
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace spoolgate::agent {

struct AgentMetrics {
  explicit AgentMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Gauge>& printer_state;     // {printer, state}: 1 for the current
  prometheus::Family<prometheus::Counter>& jobs_printed;    // {printer}
  prometheus::Family<prometheus::Counter>& jobs_failed;     // {printer}
  prometheus::Family<prometheus::Counter>& bytes_written;   // {printer}
  prometheus::Family<prometheus::Counter>& device_errors;   // {printer}
  prometheus::Family<prometheus::Histogram>& write_latency; // {printer}
  prometheus::Gauge& connected;                              // attached to the spooler

  prometheus::Histogram& WriteLatency(const std::string& printer);
};

}  // namespace spoolgate::agent
