#include "services/ftp-gateway/ftp_gateway.h"

#include <crypt.h>
#include <sys/socket.h>

#include <fstream>
#include <map>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "services/ftp-gateway/ftp_connection.h"

namespace spoolgate::ftp {

FtpGateway::FtpGateway(FtpOptions options, FtpMetrics* metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      channel_(options_.channel ? options_.channel
                                : grpc::CreateChannel(options_.spooler, grpc::InsecureChannelCredentials())),
      server_(
          options_.max_sessions,
          [this](int fd, const net::Endpoint& peer) {
            if (metrics_) {
              metrics_->sessions.Increment();
              metrics_->active_sessions.Increment();
            }
            FtpConnection(fd, peer, options_, channel_, metrics_).Run();
            if (metrics_) metrics_->active_sessions.Decrement();
          },
          [](int fd, const net::Endpoint&) {
            std::string reply = FormatReply({421, {"Too many connections, try again later"}});
            ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
          }) {}

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
