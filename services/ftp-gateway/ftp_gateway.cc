#include "services/ftp-gateway/ftp_gateway.h"

#include <crypt.h>
#include <sys/socket.h>

#include <fstream>
#include <map>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "lib/grpc/status_conversion.h"
#include "lib/grpc/tls.h"
#include "lib/grpc/waiting_call.h"
#include "lib/model/printer_state.h"
#include "services/ftp-gateway/ftp_connection.h"
#include "services/ftp-gateway/queue_cache.h"
#include "spoolgate/v1/admin.grpc.pb.h"

namespace spoolgate::ftp {

FtpGateway::FtpGateway(FtpOptions options, FtpMetrics* metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      channel_(options_.channel ? options_.channel
                                : grpc::CreateChannel(options_.spooler, grpc::InsecureChannelCredentials())),
      session_channels_(options_.session_channels, channel_),
      queues_(std::make_unique<QueueCache>([this] { return FetchQueues(channel_); },
                                           options_.queue_list_max_age)),
      server_(
          options_.max_sessions,
          [this](int fd, const net::Endpoint& peer) {
            if (metrics_) {
              metrics_->sessions.Increment();
              metrics_->active_sessions.Increment();
            }
            FtpConnection(fd, peer, options_, session_channels_.Next(), *queues_, metrics_).Run();
            if (metrics_) metrics_->active_sessions.Decrement();
          },
          [](int fd, const net::Endpoint&) {
            std::string reply = FormatReply({421, {"Too many connections, try again later"}});
            ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
          }) {}

absl::StatusOr<std::vector<QueueInfo>> FetchQueues(const std::shared_ptr<grpc::Channel>& channel) {
  auto admin = v1::Admin::NewStub(channel);
  // A session waits for this at connect and on every lookup miss.
  grpc::ClientContext queues_call, printers_call;
  PrepareWaitingCall(&queues_call);
  PrepareWaitingCall(&printers_call);
  v1::ListQueuesResponse queues;
  v1::ListPrintersResponse printers;
  auto status = FromGrpcStatus(admin->ListQueues(&queues_call, v1::ListQueuesRequest(), &queues));
  if (status.ok()) {
    status = FromGrpcStatus(admin->ListPrinters(&printers_call, v1::ListPrintersRequest(), &printers));
  }
  if (!status.ok()) return status;
  std::vector<QueueInfo> out;
  for (const auto& e : queues.queues()) {
    QueueInfo q{e.queue().name(), e.queue().description(), e.queue().accepting(),
                e.queue().enabled(), static_cast<int>(e.pending_jobs()),
                static_cast<int>(e.printers()), "no printer attached"};
    for (const auto& p : printers.printers()) {
      if (p.status().queue() != q.name) continue;
      bool unavailable = PrinterUnavailable(p.status().state());
      bool printing = p.current_job() != 0;
      q.printer_status = unavailable ? DescribePrinter(p.status()) : printing ? "printing" : "ready";
      q.printer_state = unavailable ? PrinterStateLabel(p.status().state()) : printing ? "printing" : "ready";
    }
    out.push_back(std::move(q));
  }
  return out;
}

absl::StatusOr<FtpSession::Authenticator> LoadUsersFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open users file ", path));
  auto users = std::make_shared<std::map<std::string, std::string>>();
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string::npos || line.size() < colon + 4 || line[colon + 1] != '$') {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": lines are user:$id$salt$hash (crypt(3)); no plain passwords"));
    }
    (*users)[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return FtpSession::Authenticator([users](const std::string& user, const std::string& password) {
    auto it = users->find(user);
    if (it == users->end()) return false;
    crypt_data data{};
    const char* hash = crypt_r(password.c_str(), it->second.c_str(), &data);
    return hash != nullptr && it->second == hash;
  });
}

}  // namespace spoolgate::ftp
