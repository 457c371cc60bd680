// spoolctl's flags, shared by every subcommand.
#pragma once

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, spooler);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(std::string, queue);
ABSL_DECLARE_FLAG(std::string, title);
ABSL_DECLARE_FLAG(std::string, user);
ABSL_DECLARE_FLAG(int32_t, priority);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(uint32_t, copies);
ABSL_DECLARE_FLAG(bool, banner);
ABSL_DECLARE_FLAG(bool, all);
ABSL_DECLARE_FLAG(uint32_t, page_size);
ABSL_DECLARE_FLAG(std::string, page_token);
ABSL_DECLARE_FLAG(std::vector<std::string>, state);
ABSL_DECLARE_FLAG(std::string, description);
ABSL_DECLARE_FLAG(uint64_t, max_job_bytes);
ABSL_DECLARE_FLAG(uint32_t, max_pending_jobs);
ABSL_DECLARE_FLAG(bool, banners);
ABSL_DECLARE_FLAG(std::string, error_policy);
ABSL_DECLARE_FLAG(uint32_t, retry_limit);
ABSL_DECLARE_FLAG(absl::Duration, retry_interval);
ABSL_DECLARE_FLAG(bool, reject);
ABSL_DECLARE_FLAG(bool, disable);
ABSL_DECLARE_FLAG(double, interval_seconds);
ABSL_DECLARE_FLAG(int32_t, iterations);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, since);
ABSL_DECLARE_FLAG(std::string, until);
ABSL_DECLARE_FLAG(bool, csv);
ABSL_DECLARE_FLAG(absl::Duration, quota_period);
ABSL_DECLARE_FLAG(uint32_t, quota_jobs);
ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(absl::Duration, duplicate_window);
ABSL_DECLARE_FLAG(uint64_t, quota_bytes);
