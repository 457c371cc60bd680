// Every metric the spooler exports, declared in one place.
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace spoolgate::spooler {

struct SpoolerMetrics {
  explicit SpoolerMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Gauge>& jobs;            // {queue, state}
  prometheus::Family<prometheus::Counter>& jobs_received; // {queue}
  prometheus::Family<prometheus::Counter>& bytes_received;// {queue}
  prometheus::Family<prometheus::Counter>& jobs_refused;  // {reason}
  prometheus::Family<prometheus::Counter>& jobs_finished; // {queue, state}
  prometheus::Family<prometheus::Histogram>& job_latency; // {queue}: commit to completion
  prometheus::Histogram& commit_latency;                  // header to synced commit
  prometheus::Family<prometheus::Gauge>& store_bytes;     // {family}
  prometheus::Gauge& agents;
  prometheus::Gauge& disk_free_bytes;                     // on the data directory's file system
  prometheus::Gauge& store_writes_stopped;                // 1 while RocksDB refuses writes
  prometheus::Counter& store_write_resumes;               // writes resumed after a failure
  prometheus::Family<prometheus::Gauge>& printers;        // {queue, state}
  prometheus::Family<prometheus::Gauge>& printer_state;   // {printer, state}: 1 = current

  prometheus::Histogram& JobLatency(const std::string& queue);
};

}  // namespace spoolgate::spooler
