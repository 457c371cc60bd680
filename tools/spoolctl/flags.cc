#include "tools/spoolctl/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, spooler, "127.0.0.1:7600", "spooler gRPC address HOST:PORT");
ABSL_FLAG(bool, json, false, "print JSON (one object per line) instead of tables");
ABSL_FLAG(std::string, queue, "", "queue (print: target, required; jobs: filter)");
ABSL_FLAG(std::string, title, "", "print: job title (default: first file name)");
ABSL_FLAG(std::string, user, "", "print: job owner (default: your login name)");
ABSL_FLAG(int32_t, priority, 0, "print: priority 0..25, higher prints first");
ABSL_FLAG(std::string, format, "raw", "print: document format (raw or an LPD letter: f l o p r ...)");
ABSL_FLAG(bool, all, false, "jobs: include finished jobs still in history");
