#include "lib/grpc/client_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tls_ca, "", "PEM CA that signed the spooler's certificate: use TLS");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate, when the spooler requires one");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, admin_token_file, "", "file holding the Admin API bearer token");

namespace spoolgate {

TlsFiles ClientTlsFromFlags() {
  return TlsFiles{absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
                  absl::GetFlag(FLAGS_tls_key)};
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> SpoolerChannelFromFlags(
    const std::string& target, const grpc::ChannelArguments& args) {
  if (auto s = LoadAdminToken(absl::GetFlag(FLAGS_admin_token_file)); !s.ok()) return s;
  return MakeChannel(target, ClientTlsFromFlags(), args);
}

}  // namespace spoolgate
