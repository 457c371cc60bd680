#include "services/lpd-gateway/lpd_gateway.h"

#include <sys/socket.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "services/lpd-gateway/lpd_session.h"

namespace spoolgate::lpd {

LpdGateway::LpdGateway(LpdOptions options, LpdMetrics* metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      channel_(options_.channel ? options_.channel
                                : grpc::CreateChannel(options_.spooler, grpc::InsecureChannelCredentials())),
      server_(options_.max_connections,
              [this](int fd, const net::Endpoint& peer) { Serve(fd, peer); },
              [](int fd, const net::Endpoint&) {
                // Code 2 ("try again later" to LPRng) and, as LPRng does, a reason line.
                static constexpr char kBusy[] = "\2too many connections, try again later\n";
                ::send(fd, kBusy, sizeof(kBusy) - 1, MSG_NOSIGNAL);
              }) {}

void LpdGateway::Serve(int fd, const net::Endpoint& peer) {
  if (metrics_) {
    metrics_->connections.Increment();
    metrics_->active_connections.Increment();
  }
  LpdSession(fd, peer, options_, channel_, metrics_).Run();
  if (metrics_) metrics_->active_connections.Decrement();
}

}  // namespace spoolgate::lpd
