#include "services/lpd-gateway/lpd_gateway.h"

#include <sys/socket.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "lib/base/logging.h"
#include "services/lpd-gateway/lpd_session.h"

namespace spoolgate::lpd {

LpdGateway::LpdGateway(LpdOptions options, LpdMetrics* metrics)
    : options_(std::move(options)), metrics_(metrics) {
  channel_ = grpc::CreateChannel(options_.spooler, grpc::InsecureChannelCredentials());
}

LpdGateway::~LpdGateway() { Stop(absl::Seconds(5)); }

absl::Status LpdGateway::Start() {
  for (const auto& text : options_.listen) {
    auto endpoint = net::ParseEndpoint(text);
    if (!endpoint.ok()) return endpoint.status();
    net::Endpoint bound;
    auto fd = net::Listen(*endpoint, &bound);
    if (!fd.ok()) return fd.status();
    bound_.push_back(bound);
    Log("listening on %s", net::FormatEndpoint(bound));
    listeners_.push_back(*std::move(fd));
  }
  for (const auto& listener : listeners_) {
    int fd = listener.get();
    acceptors_.emplace_back([this, fd] {
      net::AcceptLoop(fd, stop_, [this](UniqueFd conn, net::Endpoint peer) {
        Serve(std::move(conn), std::move(peer));
      });
    });
  }
  return absl::OkStatus();
}

void LpdGateway::ReapFinished() {
  std::list<std::unique_ptr<Session>> finished;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if ((*it)->done.load()) {
        finished.push_back(std::move(*it));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : finished) s->thread.join();
}

void LpdGateway::Serve(UniqueFd fd, net::Endpoint peer) {
  ReapFinished();
  if (metrics_) metrics_->connections.Increment();
  if (active_.load() >= options_.max_connections) {
    Log("%s: refused: %d connections open (--max_connections)", net::FormatEndpoint(peer),
        active_.load());
    return;  // fd closes here
  }
  ++active_;
  if (metrics_) metrics_->active_connections.Increment();
  auto session = std::make_unique<Session>();
  session->fd = std::move(fd);
  Session* raw = session.get();
  absl::MutexLock lock(&mu_);
  sessions_.push_back(std::move(session));
  raw->thread = std::thread([this, raw, peer] {
    LpdSession(raw->fd.get(), peer, options_, channel_, metrics_).Run();
    ::shutdown(raw->fd.get(), SHUT_RDWR);
    --active_;
    if (metrics_) metrics_->active_connections.Decrement();
    raw->done = true;
  });
}

void LpdGateway::Stop(absl::Duration grace) {
  if (stop_.exchange(true)) return;
  for (auto& t : acceptors_) t.join();
  listeners_.clear();
  absl::Time deadline = absl::Now() + grace;
  while (active_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  {
    absl::MutexLock lock(&mu_);
    for (auto& s : sessions_) {
      if (!s->done.load()) ::shutdown(s->fd.get(), SHUT_RDWR);  // unblocks its reads
    }
  }
  std::list<std::unique_ptr<Session>> all;
  {
    absl::MutexLock lock(&mu_);
    all.swap(sessions_);
  }
  for (auto& s : all) s->thread.join();
}

}  // namespace spoolgate::lpd
