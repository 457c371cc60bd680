#include "lib/grpc/client_flags.h"

#include "absl/flags/flag.h"
#include "lib/grpc/connections.h"

ABSL_FLAG(std::string, tls_ca, "", "PEM CA that signed the spooler's certificate: use TLS");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate, when the spooler requires one");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, token_file, "",
          "file holding the bearer token this program presents to the spooler (its role)");
ABSL_FLAG(std::string, admin_token_file, "", "older name of --token_file");

namespace spoolgate {

TlsFiles ClientTlsFromFlags() {
  return TlsFiles{absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
                  absl::GetFlag(FLAGS_tls_key)};
}

absl::Status LoadCallTokenFromFlags() {
  std::string path = absl::GetFlag(FLAGS_token_file);
  if (path.empty()) path = absl::GetFlag(FLAGS_admin_token_file);
  return LoadCallToken(path);
}

namespace {

// A channel to the spooler with the TLS flags, once the token is loaded.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelWithTlsFlags(
    const std::string& target, const grpc::ChannelArguments& args) {
  // Reconnect within a second of a spooler restart: gRPC's default backoff
  // grows towards two minutes, and every job in between would be refused.
  grpc::ChannelArguments with_backoff = args;
  with_backoff.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  with_backoff.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  with_backoff.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return MakeChannel(target, ClientTlsFromFlags(), with_backoff);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> SpoolerChannelFromFlags(
    const std::string& target, const grpc::ChannelArguments& args) {
  if (auto s = LoadCallTokenFromFlags(); !s.ok()) return s;
  return ChannelWithTlsFlags(target, args);
}

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> SpoolerChannelsFromFlags(
    const std::string& target, int count) {
  if (auto s = LoadCallTokenFromFlags(); !s.ok()) return s;  // once for all of them
  return MakeSeparateChannels(count, [&](const grpc::ChannelArguments& args) {
    return ChannelWithTlsFlags(target, args);
  });
}

}  // namespace spoolgate
