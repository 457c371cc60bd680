// The flags every spooler client shares (gateways, printer-agent, spoolctl):
//   --tls_ca, --tls_cert, --tls_key   TLS to the spooler (CA to verify it; a
//                                      client certificate when it requires one)
// and, only in the programs that call the Admin API (gateways, spoolctl):
//   --admin_token_file                 bearer token for the Admin API
// The two live in separate object files, so a program that never calls
// SpoolerChannelFromFlags (the printer-agent) does not carry a flag it would
// ignore.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/statusor.h"
#include "lib/grpc/tls.h"

namespace spoolgate {

TlsFiles ClientTlsFromFlags();
// Loads --admin_token_file and opens a channel to `target` with the TLS flags.
absl::StatusOr<std::shared_ptr<grpc::Channel>> SpoolerChannelFromFlags(
    const std::string& target, const grpc::ChannelArguments& args = {});

}  // namespace spoolgate
