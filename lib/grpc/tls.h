// TLS for every gRPC connection, and the bearer token a client presents.
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

// The bearer token this process presents to the spooler on every call (read
// from a file at startup; the spooler maps it to a role). Empty path = none.
absl::Status LoadCallToken(const std::string& path);
// Adds "authorization: Bearer <token>" to an outgoing call, if a token is set.
void AddCallToken(grpc::ClientContext* context);
// Server side: the token of "authorization: Bearer <token>", or empty.
std::string BearerTokenOf(const grpc::ServerContextBase& context);
// Reads a token file (surrounding white space trimmed).
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace spoolgate
