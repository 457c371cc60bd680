// TLS for every gRPC connection, and the Admin API's bearer token.
//
// Server: a certificate and key; with a client CA, clients must present a
// certificate it signed. Client: a CA to verify the server (and optionally
// its own certificate and key). All empty = plain TCP, as before.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace spoolgate {

struct TlsFiles {
  std::string ca;    // PEM file: server side, the client CA; client side, the server CA
  std::string cert;  // PEM certificate chain
  std::string key;   // PEM private key
  bool empty() const { return ca.empty() && cert.empty() && key.empty(); }
};

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const TlsFiles& files);
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target,
                                                           const TlsFiles& files,
                                                           const grpc::ChannelArguments& args = {});

// The Admin bearer token of this process (read from a file at startup).
absl::Status LoadAdminToken(const std::string& path);
// Adds "authorization: Bearer <token>" to an outgoing call, if a token is set.
void AddAdminToken(grpc::ClientContext* context);
// Server side: OK if `expected` is empty or the call carries it.
absl::Status CheckBearerToken(const grpc::ServerContext& context, const std::string& expected);
// Reads a token file (surrounding white space trimmed).
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace spoolgate
