#include "services/spooler/active_jobs.h"

namespace spoolgate::spooler {

std::optional<QueuePlace> PlaceOf(const v1::Job& job) {
  int rank;
  switch (job.state()) {
    case v1::JOB_STATE_PRINTING: rank = 0; break;
    case v1::JOB_STATE_PENDING: rank = 1; break;
    case v1::JOB_STATE_HELD: rank = 2; break;
    default: return std::nullopt;
  }
  return QueuePlace{rank, job.priority(), job.id()};
}

const v1::Job* ActiveJobs::Find(uint64_t id) const {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

void ActiveJobs::Put(v1::Job job) {
  auto it = jobs_.find(job.id());
  if (it != jobs_.end()) {
    Unindex(it->second);
    it->second = std::move(job);
  } else {
    it = jobs_.emplace(job.id(), std::move(job)).first;
  }
  Index(it->second);
}

void ActiveJobs::Erase(uint64_t id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Unindex(it->second);
  jobs_.erase(it);
}

void ActiveJobs::Index(const v1::Job& job) {
  QueueJobs& q = queues_[job.queue()];
  Key key = KeyOf(job);
  switch (job.state()) {
    case v1::JOB_STATE_PRINTING: q.printing.insert(key); break;
    case v1::JOB_STATE_HELD: q.held.insert(key); break;
    case v1::JOB_STATE_PENDING:
      q.pending.insert(key);
      if (job.not_before_unix_micros() == 0) {
        q.ready.insert(key);
      } else {
        waiting_.insert({job.not_before_unix_micros(), job.id()});
      }
      break;
    default: break;  // not active: kept, but in no order
  }
}

void ActiveJobs::Unindex(const v1::Job& job) {
  auto q = queues_.find(job.queue());
  if (q == queues_.end()) return;
  Key key = KeyOf(job);
  q->second.printing.erase(key);
  q->second.held.erase(key);
  q->second.pending.erase(key);
  q->second.ready.erase(key);
  waiting_.erase({job.not_before_unix_micros(), job.id()});
  if (q->second.empty()) queues_.erase(q);
}

uint32_t ActiveJobs::Position(const v1::Job& job) const {
  auto q = queues_.find(job.queue());
  if (q == queues_.end()) return 0;
  size_t ahead = q->second.printing.size() + q->second.pending.order_of_key(KeyOf(job));
  if (job.state() == v1::JOB_STATE_PRINTING && q->second.printing.count(KeyOf(job))) --ahead;
  return static_cast<uint32_t>(ahead);
}

size_t ActiveJobs::Count(const std::string& queue, v1::JobState state) const {
  auto q = queues_.find(queue);
  if (q == queues_.end()) return 0;
  switch (state) {
    case v1::JOB_STATE_PRINTING: return q->second.printing.size();
    case v1::JOB_STATE_PENDING: return q->second.pending.size();
    case v1::JOB_STATE_HELD: return q->second.held.size();
    default: return 0;
  }
}

size_t ActiveJobs::CountInQueue(const std::string& queue) const {
  auto q = queues_.find(queue);
  if (q == queues_.end()) return 0;
  return q->second.printing.size() + q->second.pending.size() + q->second.held.size();
}

void ActiveJobs::WakeDue(absl::Time now) {
  int64_t now_micros = absl::ToUnixMicros(now);
  while (!waiting_.empty() && waiting_.begin()->first <= now_micros) {
    const v1::Job& job = jobs_.at(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    queues_[job.queue()].ready.insert(KeyOf(job));
  }
}

uint64_t ActiveJobs::NextToPrint(const std::string& queue, const std::string& printer,
                                 const std::function<bool(uint64_t)>& skip) const {
  auto q = queues_.find(queue);
  if (q == queues_.end()) return 0;
  // Passes over only jobs pinned elsewhere and the few the caller skips
  // (sent ahead to a printer): a handful, whatever the queue's length.
  for (const Key& key : q->second.ready) {
    if (skip(key.id)) continue;
    const v1::Job& job = jobs_.at(key.id);
    if (!job.retry_on_printer().empty() && job.retry_on_printer() != printer) continue;
    return key.id;
  }
  return 0;
}

void ActiveJobs::ForEachInQueue(const std::string& queue, const std::optional<QueuePlace>& after,
                                const std::function<bool(const v1::Job&)>& fn) const {
  auto q = queues_.find(queue);
  if (q == queues_.end()) return;
  auto visit = [&](const auto& keys, int rank) {
    if (after && after->rank > rank) return true;
    auto it = keys.begin();
    if (after && after->rank == rank) it = keys.upper_bound(Key{after->priority, after->id});
    for (; it != keys.end(); ++it) {
      if (!fn(jobs_.at(it->id))) return false;
    }
    return true;
  };
  visit(q->second.printing, 0) && visit(q->second.pending, 1) && visit(q->second.held, 2);
}

void ActiveJobs::ForEach(const std::function<void(const v1::Job&)>& fn) const {
  for (const auto& [_, job] : jobs_) fn(job);
}

}  // namespace spoolgate::spooler
