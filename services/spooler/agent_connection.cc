#include "services/spooler/agent_connection.h"

namespace spoolgate::spooler {

void AgentConnection::Send(v1::SpoolerMessage message) {
  absl::MutexLock lock(&mu_);
  if (!closed_) outbox_.push_back(std::move(message));
}

void AgentConnection::SendCancel(uint64_t job_id, uint64_t lease, const std::string& reason) {
  v1::SpoolerMessage message;
  message.mutable_cancel()->set_job_id(job_id);
  message.mutable_cancel()->set_lease(lease);
  message.mutable_cancel()->set_reason(reason);
  Send(std::move(message));
}

bool AgentConnection::Next(v1::SpoolerMessage* message) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](AgentConnection* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return self->closed_ || !self->outbox_.empty();
      },
      this));
  if (outbox_.empty()) return false;
  *message = std::move(outbox_.front());
  outbox_.pop_front();
  return true;
}

bool AgentConnection::TryNext(v1::SpoolerMessage* message) {
  absl::MutexLock lock(&mu_);
  if (outbox_.empty()) return false;
  *message = std::move(outbox_.front());
  outbox_.pop_front();
  return true;
}

void AgentConnection::Close() {
  std::function<void()> hook;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    hook = cancel_hook_;
  }
  if (hook) hook();
}

void AgentConnection::SetCancelHook(std::function<void()> hook) {
  bool closed;
  {
    absl::MutexLock lock(&mu_);
    cancel_hook_ = hook;
    closed = closed_;
  }
  if (closed && hook) hook();
}

}  // namespace spoolgate::spooler
