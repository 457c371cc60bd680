#include "services/spooler/spooler_metrics.h"

namespace spoolgate::spooler {

SpoolerMetrics::SpoolerMetrics(prometheus::Registry& registry)
    : jobs(prometheus::BuildGauge()
               .Name("spoolgate_spooler_jobs")
               .Help("Jobs by queue and state (finished ones while in history)")
               .Register(registry)),
      jobs_received(prometheus::BuildCounter()
                        .Name("spoolgate_spooler_jobs_received_total")
                        .Help("Jobs committed by intake")
                        .Register(registry)),
      bytes_received(prometheus::BuildCounter()
                         .Name("spoolgate_spooler_bytes_received_total")
                         .Help("Document bytes of committed jobs")
                         .Register(registry)),
      jobs_refused(prometheus::BuildCounter()
                       .Name("spoolgate_spooler_jobs_refused_total")
                       .Help("Submissions refused or abandoned, by reason")
                       .Register(registry)),
      jobs_finished(prometheus::BuildCounter()
                        .Name("spoolgate_spooler_jobs_finished_total")
                        .Help("Jobs that reached a final state")
                        .Register(registry)),
      job_latency(prometheus::BuildHistogram()
                      .Name("spoolgate_spooler_job_latency_seconds")
                      .Help("Time from commit to completed printing")
                      .Register(registry)),
      commit_latency(prometheus::BuildHistogram()
                         .Name("spoolgate_spooler_commit_latency_seconds")
                         .Help("Time from job header to synced commit")
                         .Register(registry)
                         .Add({}, prometheus::Histogram::BucketBoundaries{
                                      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                      0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300})),
      store_bytes(prometheus::BuildGauge()
                      .Name("spoolgate_spooler_store_bytes")
                      .Help("Approximate bytes on disk per RocksDB column family")
                      .Register(registry)),
      agents(prometheus::BuildGauge()
                 .Name("spoolgate_spooler_agents_connected")
                 .Help("Printer agents attached")
                 .Register(registry)
                 .Add({})),
      disk_free_bytes(prometheus::BuildGauge()
                          .Name("spoolgate_spooler_disk_free_bytes")
                          .Help("Free bytes on the file system of --data_dir")
                          .Register(registry)
                          .Add({})),
      store_writes_stopped(prometheus::BuildGauge()
                               .Name("spoolgate_spooler_store_writes_stopped")
                               .Help("1 while the job store refuses writes after a failed one "
                                     "(a full disk); it retries every housekeeping period")
                               .Register(registry)
                               .Add({})),
      store_write_resumes(prometheus::BuildCounter()
                              .Name("spoolgate_spooler_store_write_resumes_total")
                              .Help("Times the job store took writes again after a failure")
                              .Register(registry)
                              .Add({})),
      printers(prometheus::BuildGauge()
                   .Name("spoolgate_spooler_printers")
                   .Help("Attached printers by queue and state")
                   .Register(registry)),
      printer_state(prometheus::BuildGauge()
                        .Name("spoolgate_printer_state")
                        .Help("1 for each attached printer's current state (idle, printing, "
                              "stalled, media-empty, offline, error, stopped), 0 for the others")
                        .Register(registry)) {
  // Every reason at 0 from the start, so rates and alerts have data.
  for (const char* reason : {"bad_request", "unavailable", "no_queue", "not_accepting", "too_large",
                             "queue_full", "abandoned", "quota"}) {
    jobs_refused.Add({{"reason", reason}});
  }
}

prometheus::Histogram& SpoolerMetrics::JobLatency(const std::string& queue) {
  return job_latency.Add({{"queue", queue}},
                         prometheus::Histogram::BucketBoundaries{
                             0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 14400});
}

}  // namespace spoolgate::spooler
