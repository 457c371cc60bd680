// One attached agent: its printers (guarded by the Spooler's mutex) and an
// outbox that the Attach stream drains, told by a Listener when there is
// something to send.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "spoolgate/v1/dispatch.pb.h"

namespace spoolgate::spooler {

// A printer of an attached agent. It holds at most two leases: the job it
// prints and the job it prints next, sent ahead so that the agent starts it
// without waiting for a round trip to the spooler. The agent prints them
// one after the other, never both at once.
struct PrinterSlot {
  v1::PrinterStatus status;
  uint64_t current_job = 0;       // 0 = no lease
  uint64_t next_job = 0;          // leased and sent, waits for current_job
  uint64_t current_lease = 0;     // AssignJob.lease of current_job
  uint64_t next_lease = 0;        // AssignJob.lease of next_job
  uint64_t bytes_written = 0;     // device bytes of the current job
  float progress = 0;             // 0..1, document bytes sent over their total
  absl::Time lease_deadline;      // renewed by every message about the job
  uint64_t last_assignment = 0;   // sequence number, for rotation

  bool Holds(uint64_t job_id) const {
    return job_id != 0 && (current_job == job_id || next_job == job_id);
  }
  // Whether a report about attempt `lease` of `job_id` is about one of this
  // slot's leases; lease 0 (an agent without leases) matches either.
  bool HoldsLease(uint64_t job_id, uint64_t lease) const {
    return Holds(job_id) && (lease == 0 || LeaseOf(job_id) == lease);
  }
  // The lease under which `job_id` is held here (0 if it is not).
  uint64_t LeaseOf(uint64_t job_id) const {
    if (job_id == 0) return 0;
    if (current_job == job_id) return current_lease;
    return next_job == job_id ? next_lease : 0;
  }
  // Ends the lease of `job_id`; if it was the current job, the next one
  // becomes current with a fresh lease.
  void Release(uint64_t job_id, absl::Time lease_deadline_of_next) {
    if (job_id == 0) return;
    if (current_job == job_id) {
      current_job = next_job;
      current_lease = next_lease;
      next_job = next_lease = 0;
      bytes_written = 0;
      progress = 0;
      lease_deadline = lease_deadline_of_next;
    } else if (next_job == job_id) {
      next_job = next_lease = 0;
    }
  }
};

class AgentConnection {
 public:
  // The stream that carries the outbox to the agent. Called without the
  // connection's lock, possibly with the Spooler's mutex held: it must not
  // take that mutex.
  class Listener {
   public:
    virtual ~Listener() = default;
    // Messages were queued (TryNext takes them).
    virtual void OnQueued() = 0;
    // Close() was called: the stream should end.
    virtual void OnClosed() = 0;
  };

  // `credential`: the name the agent authenticated as; empty when the
  // spooler has no credentials configured.
  AgentConnection(std::string agent_id, std::string peer, absl::Time connected,
                  std::string credential = "")
      : agent_id_(std::move(agent_id)),
        peer_(std::move(peer)),
        credential_(std::move(credential)),
        connected_(connected) {}

  const std::string& agent_id() const { return agent_id_; }
  const std::string& credential() const { return credential_; }
  const std::string& peer() const { return peer_; }
  absl::Time connected() const { return connected_; }

  // Queues a message for the agent. Dropped after Close().
  void Send(v1::SpoolerMessage message);
  // Queues a CancelJob for attempt `lease` of `job_id`.
  void SendCancel(uint64_t job_id, uint64_t lease, const std::string& reason);
  // Takes the oldest queued message; false when none is queued.
  bool TryNext(v1::SpoolerMessage* message);
  // Drops what is queued from now on and tells the listener.
  void Close();
  // Sets the listener; it hears at once of messages queued before, and of
  // a Close() that came before.
  void SetListener(Listener* listener);
  // Removes the listener. When it returns, no call to it is running and
  // none will start, so that it may be destroyed.
  void RemoveListener();

 private:
  // Calls `notify` on the listener outside the lock, counted so that
  // RemoveListener can wait for it to return.
  void Notify(void (Listener::*notify)()) ABSL_LOCKS_EXCLUDED(mu_);

  const std::string agent_id_;
  const std::string peer_;
  const std::string credential_;
  const absl::Time connected_;
  absl::Mutex mu_;
  std::deque<v1::SpoolerMessage> outbox_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  Listener* listener_ ABSL_GUARDED_BY(mu_) = nullptr;
  int notifying_ ABSL_GUARDED_BY(mu_) = 0;  // listener calls running
};

}  // namespace spoolgate::spooler
