#include "lib/net/connection_server.h"

#include <sys/socket.h>

#include "lib/base/logging.h"

namespace spoolgate::net {

ConnectionServer::ConnectionServer(int max_connections, Handler handler, Refuser refuser)
    : ConnectionServer(max_connections, std::move(handler), std::move(refuser), ThreadOptions()) {}

ConnectionServer::ConnectionServer(int max_connections, Handler handler, Refuser refuser,
                                   ThreadOptions threads)
    : max_connections_(max_connections),
      handler_(std::move(handler)),
      refuser_(std::move(refuser)),
      threads_(threads) {}

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

int ConnectionServer::threads() const { return threads_.threads(); }

int ConnectionServer::idle_threads() const { return threads_.idle_threads(); }

void ConnectionServer::Serve(UniqueFd fd, Endpoint peer) {
  if (active_.load() >= max_connections_) {
    Log("%s: refused: %d connections open", FormatEndpoint(peer), active_.load());
    if (refuser_) refuser_(fd.get(), peer);
    return;
  }
  ++active_;
  // A task must be copyable: the socket travels in a shared_ptr.
  auto conn = std::make_shared<UniqueFd>(std::move(fd));
  threads_.Run([this, conn, peer] {
    ServeOnThisThread(conn->get(), peer);
    conn->reset();  // closes the socket
    --active_;
  });
}

void ConnectionServer::ServeOnThisThread(int fd, const Endpoint& peer) {
  {
    absl::MutexLock lock(&mu_);
    if (closing_) return;  // accepted as the server closed: never served
    serving_.insert(fd);
  }
  handler_(fd, peer);
  ::shutdown(fd, SHUT_RDWR);
  absl::MutexLock lock(&mu_);
  serving_.erase(fd);
}

void ConnectionServer::Stop(absl::Duration grace) {
  if (stop_.exchange(true)) return;
  for (auto& t : acceptors_) t.join();
  listeners_.clear();
  absl::Time deadline = absl::Now() + grace;
  while (active_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;  // connections not yet served are closed unserved
    for (int fd : serving_) ::shutdown(fd, SHUT_RDWR);  // unblocks their reads
  }
  // Without mu_: a handler may still need it to finish.
  threads_.Stop();
}

}  // namespace spoolgate::net
