// Several channels to one server, each on an HTTP/2 connection of its own,
// and sessions taking turns on them.
//
// gRPC carries every call of a channel, and of channels made with equal
// arguments, on one connection: one TCP stream, one connection-level
// flow-control window (65,535 bytes in the gRPC we build with, shared by
// every upload on it) and one transport thread at a time at each end.
// Gateway sessions spread over a few connections upload side by side.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/statusor.h"

namespace spoolgate {

using ChannelMaker =
    std::function<absl::StatusOr<std::shared_ptr<grpc::Channel>>(const grpc::ChannelArguments&)>;

// `count` (at least 1) channels from `make`, with arguments that keep each
// on a connection of its own.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> MakeSeparateChannels(
    int count, const ChannelMaker& make);

// Hands out channels in turn. Thread safe.
class ChannelTurns {
 public:
  // `channels`, or `otherwise` alone when there are none; one of them must
  // be given.
  explicit ChannelTurns(std::vector<std::shared_ptr<grpc::Channel>> channels,
                        std::shared_ptr<grpc::Channel> otherwise = nullptr)
      : channels_(channels.empty() ? std::vector<std::shared_ptr<grpc::Channel>>{otherwise}
                                   : std::move(channels)) {}

  const std::shared_ptr<grpc::Channel>& Next() {
    return channels_[next_.fetch_add(1, std::memory_order_relaxed) % channels_.size()];
  }

 private:
  const std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::atomic<size_t> next_{0};
};

}  // namespace spoolgate
