#include "services/lpd-gateway/lpd_gateway.h"

#include <sys/socket.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "lib/grpc/status_conversion.h"
#include "lib/grpc/waiting_call.h"
#include "services/lpd-gateway/lpd_session.h"
#include "spoolgate/v1/admin.grpc.pb.h"

namespace spoolgate::lpd {

LpdGateway::LpdGateway(LpdOptions options, LpdMetrics* metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      channel_(options_.channel ? options_.channel
                                : grpc::CreateChannel(options_.spooler, grpc::InsecureChannelCredentials())),
      session_channels_(options_.session_channels, channel_),
      queues_([this] { return FetchLpdQueues(channel_); }, options_.queue_list_max_age),
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
  LpdSession(fd, peer, options_, session_channels_.Next(), queues_, metrics_).Run();
  if (metrics_) metrics_->active_connections.Decrement();
}

absl::StatusOr<std::vector<LpdQueue>> FetchLpdQueues(const std::shared_ptr<grpc::Channel>& channel) {
  auto admin = v1::Admin::NewStub(channel);
  grpc::ClientContext call;  // a client waits for this at its receive-job command
  PrepareWaitingCall(&call);
  v1::ListQueuesResponse response;
  if (auto s = FromGrpcStatus(admin->ListQueues(&call, v1::ListQueuesRequest(), &response)); !s.ok()) {
    return s;
  }
  std::vector<LpdQueue> queues;
  for (const auto& e : response.queues()) queues.push_back({e.queue().name(), e.queue().accepting()});
  return queues;
}

}  // namespace spoolgate::lpd
