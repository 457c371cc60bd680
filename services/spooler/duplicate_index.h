// Idempotency keys of recently committed jobs, so that a client's retry of
// a job it already delivered is acknowledged without being queued twice.
// Keys are per queue; each queue has its own window. Pure; not thread safe
// (the spooler holds its lock).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace spoolgate::spooler {

class DuplicateIndex {
 public:
  // The job committed under (queue, key) at or after `now - window`.
  std::optional<uint64_t> Find(const std::string& queue, const std::string& key, absl::Time now,
                               absl::Duration window) const;
  // Records job `id` committed under (queue, key) at `at`; replaces an older entry.
  void Add(const std::string& queue, const std::string& key, absl::Time at, uint64_t id);
  // Forgets the entry of job `id` (its commit failed).
  void Remove(const std::string& queue, const std::string& key, uint64_t id);
  // Forgets entries committed before `before`.
  void Purge(absl::Time before);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    absl::Time at;
    uint64_t id;
  };
  using Key = std::pair<std::string, std::string>;  // queue, key
  std::map<Key, Entry> entries_;
  std::deque<std::pair<absl::Time, Key>> by_time_;  // oldest first, for Purge
};

// The key a job is committed under: the client's request id, followed by
// its documents' checksums when the request asks for content to count.
std::string IdempotencyKey(const std::string& request_id, bool with_content,
                           const std::vector<std::string>& document_checksums);

}  // namespace spoolgate::spooler
