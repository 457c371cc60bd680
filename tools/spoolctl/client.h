// What every spoolctl command shares: the spooler channel, output mode and
// the mapping of errors to exit codes that scripts can rely on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/status/status.h"

namespace spoolgate::spoolctl {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the spooler refused (not found, bad state ...)
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnavailable = 3;  // spooler unreachable or shutting down

struct Context {
  std::shared_ptr<grpc::Channel> channel;
  bool json = false;
  std::vector<std::string> args;  // positional arguments after the subcommand
};

// Deadline (and the Admin bearer token, if any) for unary admin calls.
void SetDeadline(grpc::ClientContext* context);

// Prints "spoolctl: <what>: <message>" to stderr; returns the exit code.
int ReportError(const std::string& what, const absl::Status& status);

// Protobuf's JSON form with the proto's field names, one object per line.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace spoolgate::spoolctl
