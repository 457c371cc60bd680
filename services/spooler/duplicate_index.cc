#include "services/spooler/duplicate_index.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace spoolgate::spooler {

std::optional<uint64_t> DuplicateIndex::Find(const std::string& queue, const std::string& key,
                                             absl::Time now, absl::Duration window) const {
  auto it = entries_.find({queue, key});
  if (it == entries_.end() || it->second.at < now - window) return std::nullopt;
  return it->second.id;
}

void DuplicateIndex::Add(const std::string& queue, const std::string& key, absl::Time at,
                         uint64_t id) {
  Key k{queue, key};
  entries_[k] = {at, id};
  by_time_.emplace_back(at, std::move(k));
}

void DuplicateIndex::Remove(const std::string& queue, const std::string& key, uint64_t id) {
  auto it = entries_.find({queue, key});
  if (it != entries_.end() && it->second.id == id) entries_.erase(it);
}

void DuplicateIndex::Purge(absl::Time before) {
  while (!by_time_.empty() && by_time_.front().first < before) {
    auto it = entries_.find(by_time_.front().second);
    // Only if no newer commit under the same key replaced it.
    if (it != entries_.end() && it->second.at < before) entries_.erase(it);
    by_time_.pop_front();
  }
}

std::string IdempotencyKey(const std::string& request_id, bool with_content,
                           const std::vector<std::string>& document_checksums) {
  if (request_id.empty()) return "";
  if (!with_content) return request_id;
  return absl::StrCat(request_id, "|", absl::StrJoin(document_checksums, ","));
}

}  // namespace spoolgate::spooler
