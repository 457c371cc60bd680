// SpoolerChannelFromFlags and the flag only Admin API callers need.
#include "absl/flags/flag.h"
#include "lib/grpc/client_flags.h"

ABSL_FLAG(std::string, admin_token_file, "", "file holding the Admin API bearer token");

namespace spoolgate {

absl::StatusOr<std::shared_ptr<grpc::Channel>> SpoolerChannelFromFlags(
    const std::string& target, const grpc::ChannelArguments& args) {
  if (auto s = LoadAdminToken(absl::GetFlag(FLAGS_admin_token_file)); !s.ok()) return s;
  return MakeChannel(target, ClientTlsFromFlags(), args);
}

}  // namespace spoolgate
