#include "lib/net/connection_server.h"

#include <sys/socket.h>

#include "lib/base/logging.h"

namespace spoolgate::net {

ConnectionServer::ConnectionServer(int max_connections, Handler handler, Refuser refuser)
    : ConnectionServer(max_connections, std::move(handler), std::move(refuser), ThreadOptions()) {}

ConnectionServer::ConnectionServer(int max_connections, Handler handler, Refuser refuser,
                                   ThreadOptions threads)
    : max_connections_(max_connections),
      thread_options_(threads),
      handler_(std::move(handler)),
      refuser_(std::move(refuser)) {}

ConnectionServer::~ConnectionServer() { Stop(absl::Seconds(5)); }

absl::Status ConnectionServer::Start(const std::vector<std::string>& listen) {
  for (const auto& text : listen) {
    auto endpoint = ParseEndpoint(text);
    if (!endpoint.ok()) return endpoint.status();
    Endpoint bound;
    auto fd = Listen(*endpoint, &bound);
    if (!fd.ok()) return fd.status();
    bound_.push_back(bound);
    Log("listening on %s", FormatEndpoint(bound));
    listeners_.push_back(*std::move(fd));
  }
  for (const auto& listener : listeners_) {
    int fd = listener.get();
    acceptors_.emplace_back([this, fd] {
      AcceptLoop(fd, stop_, [this](UniqueFd conn, Endpoint peer) { Serve(std::move(conn), peer); });
    });
  }
  return absl::OkStatus();
}

int ConnectionServer::threads() const {
  absl::MutexLock lock(&mu_);
  int alive = 0;
  for (const auto& w : workers_) alive += w.done ? 0 : 1;
  return alive;
}

int ConnectionServer::idle_threads() const {
  absl::MutexLock lock(&mu_);
  return idle_;
}

void ConnectionServer::ReapFinished() {
  std::list<Worker> finished;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      auto next = std::next(it);
      if (it->done) finished.splice(finished.end(), workers_, it);
      it = next;
    }
  }
  for (auto& w : finished) w.thread.join();
}

void ConnectionServer::Serve(UniqueFd fd, Endpoint peer) {
  ReapFinished();
  if (active_.load() >= max_connections_) {
    Log("%s: refused: %d connections open", FormatEndpoint(peer), active_.load());
    if (refuser_) refuser_(fd.get(), peer);
    return;
  }
  ++active_;
  absl::MutexLock lock(&mu_);
  waiting_.push_back(Accepted{std::move(fd), peer});
  // Every waiting connection needs an idle thread of its own; an idle
  // thread takes it when mu_ is released.
  if (static_cast<int>(waiting_.size()) > idle_) {
    Worker* worker = &workers_.emplace_back();
    worker->thread = std::thread([this, worker] { RunWorker(worker); });
  }
}

bool ConnectionServer::TakeNext(Accepted* next) {
  absl::MutexLock lock(&mu_);
  if (closing_ || idle_ >= thread_options_.max_idle) return false;
  ++idle_;
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closing_ || !waiting_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), thread_options_.idle_timeout);
  --idle_;
  return TakeWaitingLocked(next);  // false: closing, or idle too long
}

bool ConnectionServer::TakeWaitingLocked(Accepted* next) {
  if (closing_ || waiting_.empty()) return false;
  *next = std::move(waiting_.front());
  waiting_.pop_front();
  serving_.insert(next->fd.get());
  return true;
}

void ConnectionServer::RunWorker(Worker* self) {
  Accepted conn;
  {
    // A new thread serves the oldest waiting connection at once.
    absl::MutexLock lock(&mu_);
    TakeWaitingLocked(&conn);
  }
  while (conn.fd.valid()) {
    handler_(conn.fd.get(), conn.peer);
    ::shutdown(conn.fd.get(), SHUT_RDWR);
    {
      absl::MutexLock lock(&mu_);
      serving_.erase(conn.fd.get());
    }
    conn = Accepted();  // closes the socket
    --active_;
    if (!TakeNext(&conn)) break;
  }
  absl::MutexLock lock(&mu_);
  self->done = true;
}

void ConnectionServer::Stop(absl::Duration grace) {
  if (stop_.exchange(true)) return;
  for (auto& t : acceptors_) t.join();
  listeners_.clear();
  absl::Time deadline = absl::Now() + grace;
  while (active_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  std::list<Worker> all;
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;  // idle threads end; so do threads whose handler returns
    for (int fd : serving_) ::shutdown(fd, SHUT_RDWR);  // unblocks their reads
  }
  // Joined without mu_: a handler may still need it to finish.
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      all.splice(all.end(), workers_);
    }
    if (all.empty()) break;
    for (auto& w : all) w.thread.join();
    all.clear();
  }
  absl::MutexLock lock(&mu_);
  active_ -= static_cast<int>(waiting_.size());  // accepted as the server closed: never served
  waiting_.clear();
}

}  // namespace spoolgate::net
