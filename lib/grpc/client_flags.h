// The flags every spooler client shares (gateways, printer-agent, spoolctl):
//   --tls_ca, --tls_cert, --tls_key   TLS to the spooler (CA to verify it; a
//                                      client certificate when it requires one)
//   --token_file                       bearer token presented on every call;
//                                      the spooler maps it to a role
//   --admin_token_file                 older name of --token_file
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/statusor.h"
#include "lib/grpc/tls.h"

namespace spoolgate {

TlsFiles ClientTlsFromFlags();
// Loads the token flag (see above) for AddCallToken.
absl::Status LoadCallTokenFromFlags();
// LoadCallTokenFromFlags, then a channel to `target` with the TLS flags.
absl::StatusOr<std::shared_ptr<grpc::Channel>> SpoolerChannelFromFlags(
    const std::string& target, const grpc::ChannelArguments& args = {});
// `count` such channels, each on a connection of its own (connections.h).
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> SpoolerChannelsFromFlags(
    const std::string& target, int count);

}  // namespace spoolgate
