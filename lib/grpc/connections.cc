#include "lib/grpc/connections.h"

#include <grpc/grpc.h>

#include "absl/status/status.h"

namespace spoolgate {

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> MakeSeparateChannels(
    int count, const ChannelMaker& make) {
  if (count < 1) return absl::InvalidArgumentError("at least one connection is needed");
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    // A subchannel pool of the channel's own: channels otherwise share a
    // connection to the same address.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = make(args);
    if (!channel.ok()) return channel.status();
    channels.push_back(*std::move(channel));
  }
  return channels;
}

}  // namespace spoolgate
