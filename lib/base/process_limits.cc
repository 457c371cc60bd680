#include "lib/base/process_limits.h"

#include <sys/resource.h>

#include <algorithm>

#include "lib/base/logging.h"

namespace spoolgate {

uint64_t RaiseOpenFileLimit(uint64_t wanted) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlim_t raised = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
    if (raised > limit.rlim_cur) {
      struct rlimit updated = limit;
      updated.rlim_cur = raised;
      if (setrlimit(RLIMIT_NOFILE, &updated) == 0) limit = updated;
    }
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
}

void RaiseOpenFileLimitOrWarn(uint64_t wanted, const std::string& need) {
  uint64_t files = RaiseOpenFileLimit(wanted);
  if (files < wanted) {
    Log("warning: the open file limit is %d, fewer than %d: not enough for %s; raise the hard "
        "limit (ulimit -Hn, LimitNOFILE=)", files, wanted, need);
  }
}

}  // namespace spoolgate
