#include "lib/grpc/tls.h"

#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/read_file.h"

namespace spoolgate {
namespace {


std::string& CallToken() {
  static auto* token = new std::string();
  return *token;
}

}  // namespace

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  std::string token(absl::StripAsciiWhitespace(*text));
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(path, " is empty"));
  return token;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const TlsFiles& files) {
  if (files.empty()) return grpc::InsecureServerCredentials();
  if (files.cert.empty() || files.key.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  auto cert = ReadWholeFile(files.cert);
  if (!cert.ok()) return cert.status();
  auto key = ReadWholeFile(files.key);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(
      files.ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                       : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (!files.ca.empty()) {
    auto ca = ReadWholeFile(files.ca);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target,
                                                           const TlsFiles& files,
                                                           const grpc::ChannelArguments& args) {
  if (files.empty()) return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  grpc::SslCredentialsOptions options;
  if (!files.ca.empty()) {
    auto ca = ReadWholeFile(files.ca);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  if (!files.cert.empty() || !files.key.empty()) {
    auto cert = ReadWholeFile(files.cert);
    if (!cert.ok()) return cert.status();
    auto key = ReadWholeFile(files.key);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(options), args);
}

absl::Status LoadCallToken(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  auto token = ReadTokenFile(path);
  if (!token.ok()) return token.status();
  CallToken() = *token;
  return absl::OkStatus();
}

void AddCallToken(grpc::ClientContext* context) {
  if (!CallToken().empty()) context->AddMetadata("authorization", "Bearer " + CallToken());
}

std::string BearerTokenOf(const grpc::ServerContextBase& context) {
  auto it = context.client_metadata().find("authorization");
  if (it == context.client_metadata().end()) return "";
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&value, "Bearer ")) return "";
  return std::string(value);
}

}  // namespace spoolgate
