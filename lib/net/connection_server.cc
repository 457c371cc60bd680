#include "lib/net/connection_server.h"

#include <sys/socket.h>

#include "lib/base/logging.h"

namespace spoolgate::net {

ConnectionServer::ConnectionServer(int max_connections, Handler handler, Refuser refuser)
    : max_connections_(max_connections), handler_(std::move(handler)), refuser_(std::move(refuser)) {}

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

void ConnectionServer::ReapFinished() {
  std::list<std::unique_ptr<Connection>> finished;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done.load()) {
        finished.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) c->thread.join();
}

void ConnectionServer::Serve(UniqueFd fd, Endpoint peer) {
  ReapFinished();
  if (active_.load() >= max_connections_) {
    Log("%s: refused: %d connections open", FormatEndpoint(peer), active_.load());
    if (refuser_) refuser_(fd.get(), peer);
    return;
  }
  ++active_;
  auto connection = std::make_unique<Connection>();
  connection->fd = std::move(fd);
  Connection* raw = connection.get();
  absl::MutexLock lock(&mu_);
  connections_.push_back(std::move(connection));
  raw->thread = std::thread([this, raw, peer] {
    handler_(raw->fd.get(), peer);
    ::shutdown(raw->fd.get(), SHUT_RDWR);
    --active_;
    raw->done = true;
  });
}

void ConnectionServer::Stop(absl::Duration grace) {
  if (stop_.exchange(true)) return;
  for (auto& t : acceptors_) t.join();
  listeners_.clear();
  absl::Time deadline = absl::Now() + grace;
  while (active_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  std::list<std::unique_ptr<Connection>> all;
  {
    absl::MutexLock lock(&mu_);
    for (auto& c : connections_) {
      if (!c->done.load()) ::shutdown(c->fd.get(), SHUT_RDWR);  // unblocks its reads
    }
    all.swap(connections_);
  }
  for (auto& c : all) c->thread.join();
}

}  // namespace spoolgate::net
