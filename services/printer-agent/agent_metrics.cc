#include "services/printer-agent/agent_metrics.h"

namespace spoolgate::agent {

AgentMetrics::AgentMetrics(prometheus::Registry& registry)
    : printer_state(prometheus::BuildGauge()
                        .Name("spoolgate_agent_printer_state")
                        .Help("1 for the printer's current state (idle, printing, error, stopped)")
                        .Register(registry)),
      jobs_printed(prometheus::BuildCounter()
                       .Name("spoolgate_agent_jobs_printed_total")
                       .Help("Jobs written completely to the device")
                       .Register(registry)),
      jobs_failed(prometheus::BuildCounter()
                      .Name("spoolgate_agent_jobs_failed_total")
                      .Help("Print attempts that did not complete")
                      .Register(registry)),
      bytes_written(prometheus::BuildCounter()
                        .Name("spoolgate_agent_bytes_written_total")
                        .Help("Bytes written to the device")
                        .Register(registry)),
      device_errors(prometheus::BuildCounter()
                        .Name("spoolgate_agent_device_errors_total")
                        .Help("Device open, write or probe failures")
                        .Register(registry)),
      write_latency(prometheus::BuildHistogram()
                        .Name("spoolgate_agent_write_latency_seconds")
                        .Help("Time for one device write")
                        .Register(registry)),
      connected(prometheus::BuildGauge()
                    .Name("spoolgate_agent_connected")
                    .Help("1 while attached to the spooler")
                    .Register(registry)
                    .Add({})) {}

prometheus::Histogram& AgentMetrics::WriteLatency(const std::string& printer) {
  return write_latency.Add({{"printer", printer}},
                           prometheus::Histogram::BucketBoundaries{
                               0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30});
}

}  // namespace spoolgate::agent
