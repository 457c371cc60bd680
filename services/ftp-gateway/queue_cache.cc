#include "services/ftp-gateway/queue_cache.h"

#include "absl/strings/str_cat.h"

namespace spoolgate::ftp {

absl::StatusOr<QueueInfo> QueueCache::Find(absl::string_view name) {
  auto found = list_.Find(name, /*ignore_case=*/true);
  if (absl::IsNotFound(found.status())) return absl::NotFoundError(absl::StrCat("No such queue: ", name));
  return found;
}

}  // namespace spoolgate::ftp
