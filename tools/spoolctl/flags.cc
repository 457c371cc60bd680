#include "tools/spoolctl/flags.h"

#include <vector>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, spooler, "127.0.0.1:7600", "spooler gRPC address HOST:PORT");
ABSL_FLAG(bool, json, false, "print JSON (one object per line) instead of tables");
ABSL_FLAG(std::string, queue, "", "queue (print: target, required; jobs: filter)");
ABSL_FLAG(std::string, title, "", "print: job title (default: first file name)");
ABSL_FLAG(std::string, user, "", "print: job owner (default: your login name)");
ABSL_FLAG(int32_t, priority, 0, "print: priority 0..25, higher prints first");
ABSL_FLAG(uint32_t, copies, 1, "print: copies of each document");
ABSL_FLAG(bool, banner, false, "print: ask for a banner page (printed where the queue allows banners)");
ABSL_FLAG(std::string, format, "raw", "print: document format (raw or an LPD letter: f l o p r ...)");
ABSL_FLAG(bool, all, false, "jobs: include finished jobs; cancel/hold/release: every job of --queue");
ABSL_FLAG(uint32_t, page_size, 100, "jobs: jobs per page (at most 1000)");
ABSL_FLAG(std::string, page_token, "", "jobs: the page to show, as the previous page named it");
ABSL_FLAG(std::vector<std::string>, state, {},
          "jobs: only these states (pending,held,printing,completed,failed,cancelled)");
ABSL_FLAG(std::string, description, "", "queue add/set: description");
ABSL_FLAG(uint64_t, max_job_bytes, 0, "queue add/set: largest job in bytes, 0 = no limit");
ABSL_FLAG(uint32_t, max_pending_jobs, 0, "queue add/set: most waiting jobs, 0 = no limit");
ABSL_FLAG(std::string, error_policy, "retry-job",
          "queue set: what a device error does: retry-job, retry-current-job, abort-job, stop-printer");
ABSL_FLAG(uint32_t, retry_limit, 0, "queue set: attempts before FAILED (retry-job); 0 = the spooler's");
ABSL_FLAG(absl::Duration, retry_interval, absl::ZeroDuration(),
          "queue set: wait before a retry, e.g. 30s (retry-job); 0 = the spooler's, doubling");
ABSL_FLAG(bool, banners, false, "queue add/set: allow banner pages");
ABSL_FLAG(bool, reject, false, "queue add: create it not accepting jobs");
ABSL_FLAG(bool, disable, false, "queue add: create it with printing disabled");
ABSL_FLAG(double, interval_seconds, 2, "watch: refresh period");
ABSL_FLAG(int32_t, iterations, 0, "watch: stop after this many refreshes (0 = until Ctrl-C)");
ABSL_FLAG(std::string, reason, "", "cancel: reason recorded with the job");
ABSL_FLAG(std::string, since, "24h",
          "accounting: jobs finished since a duration ago (24h, 30m) or a date/time "
          "(2026-12-01, 2026-12-01T08:00:00Z)");
ABSL_FLAG(std::string, until, "", "accounting: jobs finished before this (same forms); empty = now");
ABSL_FLAG(bool, csv, false, "accounting: comma-separated values with a header line");
ABSL_FLAG(absl::Duration, quota_period, absl::ZeroDuration(),
          "queue set: the sliding period of the per-user quota, e.g. 24h; 0 = no quota");
ABSL_FLAG(uint32_t, quota_jobs, 0, "queue set: jobs per user within the quota period; 0 = no limit");
ABSL_FLAG(std::string, request_id, "",
          "print: idempotency key; a retry with the same key within the queue's duplicate window "
          "is not printed again");
ABSL_FLAG(absl::Duration, duplicate_window, absl::Minutes(10),
          "queue set: retries with the same request id within this window print once; 0 = off");
ABSL_FLAG(uint64_t, quota_bytes, 0, "queue set: bytes per user within the quota period; 0 = no limit");
