#include "services/spooler/agent_connection.h"

namespace spoolgate::spooler {

void AgentConnection::Send(v1::SpoolerMessage message) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    outbox_.push_back(std::move(message));
  }
  Notify(&Listener::OnQueued);
}

void AgentConnection::SendCancel(uint64_t job_id, uint64_t lease, const std::string& reason) {
  v1::SpoolerMessage message;
  message.mutable_cancel()->set_job_id(job_id);
  message.mutable_cancel()->set_lease(lease);
  message.mutable_cancel()->set_reason(reason);
  Send(std::move(message));
}

bool AgentConnection::TryNext(v1::SpoolerMessage* message) {
  absl::MutexLock lock(&mu_);
  if (outbox_.empty()) return false;
  *message = std::move(outbox_.front());
  outbox_.pop_front();
  return true;
}

void AgentConnection::Close() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  Notify(&Listener::OnClosed);
}

void AgentConnection::SetListener(Listener* listener) {
  bool closed;
  {
    absl::MutexLock lock(&mu_);
    listener_ = listener;
    closed = closed_;
  }
  Notify(&Listener::OnQueued);
  if (closed) Notify(&Listener::OnClosed);
}

void AgentConnection::RemoveListener() {
  absl::MutexLock lock(&mu_);
  listener_ = nullptr;
  mu_.Await(absl::Condition(
      +[](int* notifying) { return *notifying == 0; }, &notifying_));
}

void AgentConnection::Notify(void (Listener::*notify)()) {
  Listener* listener;
  {
    absl::MutexLock lock(&mu_);
    listener = listener_;
    if (listener == nullptr) return;
    ++notifying_;
  }
  (listener->*notify)();
  absl::MutexLock lock(&mu_);
  --notifying_;
}

}  // namespace spoolgate::spooler
