// Which pending job goes to which idle printer. Pure: the spooler passes in
// a snapshot and applies the result.
//
// Order within a queue: priority (higher first), then id (older first).
// HELD jobs, jobs still in backoff and jobs of other queues are skipped.
// A queue may be served by several printers; each printer takes one job. A
// job pinned to one printer (retry-current-job) waits for that printer and
// lets the jobs behind it go to the others.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

struct SchedulableJob {
  uint64_t id = 0;
  std::string queue;
  int priority = 0;
  v1::JobState state = v1::JOB_STATE_PENDING;
  absl::Time not_before = absl::InfinitePast();  // backoff end
  std::string only_printer;  // non-empty: only the printer of this name may take it
};

struct IdlePrinter {
  std::string queue;  // the queue it serves (already known to be enabled)
  std::string name;   // "agent/printer"
};

struct Assignment {
  uint64_t job_id;
  size_t printer;  // index into the printers argument
};

// Printers are taken in the order given, so the caller decides fairness
// between printers (e.g. least recently used first).
std::vector<Assignment> Schedule(std::vector<SchedulableJob> jobs,
                                 const std::vector<IdlePrinter>& printers,
                                 absl::Time now);

// True if `a` prints before `b` within one queue.
bool PrintsBefore(int priority_a, uint64_t id_a, int priority_b, uint64_t id_b);

}  // namespace spoolgate::spooler
