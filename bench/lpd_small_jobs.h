// The LPD small-job load shared by the load tools: N jobs over C
// connections (several jobs per connection) to an LPD gateway on loopback.
#pragma once

#include <sys/types.h>

#include <string>

#include "absl/strings/string_view.h"
#include "lib/base/unique_fd.h"

namespace spoolgate::bench {

// A blocking LPD client connection to 127.0.0.1:`port` (60 s receive timeout).
class LpdConn {
 public:
  explicit LpdConn(int port);
  bool ok() const { return ok_; }
  bool Send(absl::string_view bytes);
  // One octet, true if it is the \0 acknowledgement.
  bool Ack();
  // What recv(2) returns.
  ssize_t Receive(char* buffer, size_t size);

 private:
  UniqueFd fd_;
  bool ok_ = false;
};

struct SmallJobsResult {
  int jobs = 0;       // acknowledged
  int errors = 0;
  double seconds = 0;  // first connection to last acknowledgement
  double ack_p50_ms = 0, ack_p99_ms = 0;  // the data file's final ack
  double jobs_per_second() const { return seconds > 0 ? jobs / seconds : 0; }
};

// Sends `total` jobs of `job_bytes` to `queue` at 127.0.0.1:`port`, with
// job numbers from `first_number` (a later run on the same spooler must
// start past the last one, or its jobs are taken for retries).
SmallJobsResult RunSmallJobs(int port, const std::string& queue, int total, int connections,
                             size_t job_bytes, int first_number = 1);

// A one-line summary: "2000 jobs of 1024 B over 8 connections: ... jobs/s, ...".
std::string Describe(const SmallJobsResult& result, size_t job_bytes, int connections);

}  // namespace spoolgate::bench
