// Where a paged job listing resumes: an opaque page token for clients.
// Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/spooler/active_jobs.h"

namespace spoolgate::spooler {

struct ListCursor {
  // Active jobs are listed first, queue by queue; history after them.
  bool in_history = false;
  // Active part: the last job listed, by queue and place.
  std::string queue;
  QueuePlace place;
  // History part: the last job listed, by finish time and id.
  int64_t finished_unix_micros = 0;
  uint64_t id = 0;
};

std::string EncodeListCursor(const ListCursor& cursor);
// InvalidArgument for anything EncodeListCursor did not make.
absl::StatusOr<ListCursor> DecodeListCursor(absl::string_view token);

}  // namespace spoolgate::spooler
