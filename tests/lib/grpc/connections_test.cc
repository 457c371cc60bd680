// Channels made by MakeSeparateChannels reach the server over connections
// of their own (seen there as distinct peers), and ChannelTurns hands them
// out in turn.
#include "lib/grpc/connections.h"

#include <set>
#include <string>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "spoolgate/v1/admin.grpc.pb.h"

namespace spoolgate {
namespace {

// Answers ListQueues and remembers who asked (address and port).
class PeerRecordingAdmin final : public v1::Admin::Service {
 public:
  grpc::Status ListQueues(grpc::ServerContext* context, const v1::ListQueuesRequest*,
                          v1::ListQueuesResponse*) override {
    absl::MutexLock lock(&mu_);
    last_peer_ = context->peer();
    return grpc::Status::OK;
  }
  std::string last_peer() {
    absl::MutexLock lock(&mu_);
    return last_peer_;
  }

 private:
  absl::Mutex mu_;
  std::string last_peer_ ABSL_GUARDED_BY(mu_);
};

class ConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&admin_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  ChannelMaker Maker() {
    std::string target = "127.0.0.1:" + std::to_string(port_);
    return [target](const grpc::ChannelArguments& args)
               -> absl::StatusOr<std::shared_ptr<grpc::Channel>> {
      return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    };
  }
  // The server's view of the caller of one call on `channel`.
  std::string PeerOf(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    v1::ListQueuesResponse response;
    grpc::Status status = v1::Admin::NewStub(channel)->ListQueues(&context, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return admin_.last_peer();
  }

  PeerRecordingAdmin admin_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(ConnectionsTest, EachChannelHasAConnectionOfItsOwn) {
  auto channels = MakeSeparateChannels(3, Maker());
  ASSERT_TRUE(channels.ok()) << channels.status();
  ASSERT_EQ(channels->size(), 3u);
  std::set<std::string> peers;
  for (const auto& channel : *channels) peers.insert(PeerOf(channel));
  EXPECT_EQ(peers.size(), 3u);
  // A channel keeps its connection from call to call.
  EXPECT_EQ(PeerOf((*channels)[1]), PeerOf((*channels)[1]));
}

TEST_F(ConnectionsTest, ChannelsWithEqualArgumentsShareAConnectionWithoutIt) {
  // What MakeSeparateChannels works around: gRPC's shared subchannel pool.
  auto maker = Maker();
  auto first = *maker(grpc::ChannelArguments());
  auto second = *maker(grpc::ChannelArguments());
  EXPECT_EQ(PeerOf(first), PeerOf(second));
}

TEST_F(ConnectionsTest, TurnsGoRoundInOrder) {
  auto channels = MakeSeparateChannels(2, Maker());
  ASSERT_TRUE(channels.ok());
  ChannelTurns turns(*channels);
  EXPECT_EQ(turns.Next(), (*channels)[0]);
  EXPECT_EQ(turns.Next(), (*channels)[1]);
  EXPECT_EQ(turns.Next(), (*channels)[0]);
}

TEST_F(ConnectionsTest, NoConnectionIsRefused) {
  EXPECT_EQ(MakeSeparateChannels(0, Maker()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spoolgate
