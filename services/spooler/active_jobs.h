// The jobs not yet final (PENDING, HELD, PRINTING) in memory, with the
// orders the spooler asks of them kept up to date on every change, so that
// scheduling, a job's place in its queue and a page of a listing cost
// O(log n) in the number of jobs, never a scan.
//
// Order within a queue: PRINTING jobs, then PENDING, then HELD; within each,
// higher priority first, then the older (lower) id.
//
// Not thread-safe: the owner guards it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include "absl/container/node_hash_map.h"
#include "absl/time/time.h"
#include "spoolgate/v1/job.pb.h"

namespace spoolgate::spooler {

// Where a job stands in its queue's listing; also a listing's resume point.
struct QueuePlace {
  int rank = 0;  // 0 printing, 1 pending, 2 held
  int priority = 0;
  uint64_t id = 0;
};
// False for final states, which ActiveJobs never holds.
std::optional<QueuePlace> PlaceOf(const v1::Job& job);

class ActiveJobs {
 public:
  const v1::Job* Find(uint64_t id) const;
  size_t size() const { return jobs_.size(); }
  // Inserts or replaces the job of `job.id()`; `job` must not be final.
  void Put(v1::Job job);
  void Erase(uint64_t id);

  // Jobs ahead of `job` in its queue: every PRINTING one and the PENDING
  // ones that print before it.
  uint32_t Position(const v1::Job& job) const;
  // Jobs of `queue` in `state` (PENDING, HELD or PRINTING).
  size_t Count(const std::string& queue, v1::JobState state) const;
  size_t CountInQueue(const std::string& queue) const;

  // Makes PENDING jobs whose backoff ended at `now` eligible to print.
  void WakeDue(absl::Time now);
  // The first eligible PENDING job of `queue` that printer `printer`
  // ("agent/printer") may take and `skip` does not exclude (jobs pinned to
  // another printer are passed over), or 0.
  uint64_t NextToPrint(const std::string& queue, const std::string& printer,
                       const std::function<bool(uint64_t)>& skip) const;

  // Calls `fn` for the jobs of `queue` in listing order, starting after
  // `after` (from the first job without it), until it returns false.
  void ForEachInQueue(const std::string& queue, const std::optional<QueuePlace>& after,
                      const std::function<bool(const v1::Job&)>& fn) const;
  // Calls `fn` for every job, in no particular order.
  void ForEach(const std::function<void(const v1::Job&)>& fn) const;

 private:
  struct Key {
    int priority;
    uint64_t id;
  };
  struct KeyLess {
    bool operator()(const Key& a, const Key& b) const {
      if (a.priority != b.priority) return a.priority > b.priority;
      return a.id < b.id;
    }
  };
  // A red-black tree that also answers "how many keys are before this one".
  using RankedKeys = __gnu_pbds::tree<Key, __gnu_pbds::null_type, KeyLess, __gnu_pbds::rb_tree_tag,
                                      __gnu_pbds::tree_order_statistics_node_update>;
  struct QueueJobs {
    std::set<Key, KeyLess> printing;
    RankedKeys pending;            // every PENDING job
    std::set<Key, KeyLess> ready;  // PENDING and out of backoff
    std::set<Key, KeyLess> held;
    bool empty() const { return printing.empty() && pending.empty() && held.empty(); }
  };
  static Key KeyOf(const v1::Job& job) { return Key{job.priority(), job.id()}; }
  void Index(const v1::Job& job);
  void Unindex(const v1::Job& job);

  // Nodes: a job stays put when the table grows, so pointers from Find()
  // last until that job changes, and growing never moves job records.
  absl::node_hash_map<uint64_t, v1::Job> jobs_;
  std::map<std::string, QueueJobs> queues_;
  // PENDING jobs in backoff: (end of backoff in Unix micros, id).
  std::set<std::pair<int64_t, uint64_t>> waiting_;
};

}  // namespace spoolgate::spooler
