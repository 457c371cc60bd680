#include "lib/net/connection_server.h"

#include <unistd.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/testing/e2e_helpers.h"

namespace spoolgate::net {
namespace {

UniqueFd Connect(int port) {
  UniqueFd fd(testing::ConnectLoopback(port, absl::Seconds(5)));
  EXPECT_TRUE(fd.valid());
  return fd;
}

std::string ReadAll(int fd) { return testing::ReadUntilClosed(fd, absl::Seconds(5)); }

// Writes "hello" and the number of the thread that served it, so a test can
// tell threads apart.
class ThreadRecorder {
 public:
  void Serve(int fd) {
    int number;
    {
      absl::MutexLock lock(&mu_);
      auto [it, added] = ids_.try_emplace(std::this_thread::get_id(), static_cast<int>(ids_.size()));
      number = it->second;
    }
    std::string reply = "hello " + std::to_string(number);
    ASSERT_EQ(::write(fd, reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
  }
  int distinct() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(ids_.size());
  }

 private:
  absl::Mutex mu_;
  std::map<std::thread::id, int> ids_ ABSL_GUARDED_BY(mu_);
};

TEST(ConnectionServerTest, ServesConnectionsOneAfterAnotherOnOneThread) {
  ThreadRecorder recorder;
  ConnectionServer server(4, [&](int fd, const Endpoint&) { recorder.Serve(fd); });
  ASSERT_TRUE(server.Start({"127.0.0.1:0"}).ok());
  int port = server.bound()[0].port;
  for (int i = 0; i < 20; ++i) {
    UniqueFd fd = Connect(port);
    EXPECT_EQ(ReadAll(fd.get()), "hello 0") << "connection " << i;
    // The client sees the end before the thread is back waiting.
    for (int j = 0; j < 500 && server.idle_threads() == 0; ++j) absl::SleepFor(absl::Milliseconds(2));
  }
  // Each connection was over (the server closed it) before the next began:
  // the thread that served the first served them all.
  EXPECT_EQ(recorder.distinct(), 1);
  EXPECT_EQ(server.threads(), 1);
  server.Stop(absl::Seconds(1));
  EXPECT_EQ(server.threads(), 0);
}

TEST(ConnectionServerTest, ConcurrentConnectionsGetThreadsOfTheirOwn) {
  absl::Mutex mu;
  int inside = 0;
  ConnectionServer server(8, [&](int fd, const Endpoint&) {
    absl::MutexLock lock(&mu);
    ++inside;
    // Nobody answers until all three are being served at once.
    mu.AwaitWithTimeout(absl::Condition(+[](int* n) { return *n >= 3; }, &inside), absl::Seconds(5));
    ASSERT_EQ(::write(fd, "x", 1), 1);
  });
  ASSERT_TRUE(server.Start({"127.0.0.1:0"}).ok());
  int port = server.bound()[0].port;
  UniqueFd a = Connect(port), b = Connect(port), c = Connect(port);
  EXPECT_EQ(ReadAll(a.get()), "x");
  EXPECT_EQ(ReadAll(b.get()), "x");
  EXPECT_EQ(ReadAll(c.get()), "x");
  absl::MutexLock lock(&mu);
  EXPECT_EQ(inside, 3);
}

TEST(ConnectionServerTest, RefusesOverTheCapAndServesAgainAfterwards) {
  absl::Notification release;
  ConnectionServer server(
      1,
      [&](int fd, const Endpoint&) {
        ASSERT_EQ(::write(fd, "served", 6), 6);
        release.WaitForNotificationWithTimeout(absl::Seconds(5));
      },
      [](int fd, const Endpoint&) { ASSERT_EQ(::write(fd, "busy", 4), 4); });
  ASSERT_TRUE(server.Start({"127.0.0.1:0"}).ok());
  int port = server.bound()[0].port;
  UniqueFd first = Connect(port);
  char buf[6];
  ASSERT_EQ(::read(first.get(), buf, sizeof(buf)), 6);
  UniqueFd second = Connect(port);
  EXPECT_EQ(ReadAll(second.get()), "busy");
  release.Notify();
  EXPECT_EQ(ReadAll(first.get()), "");
  // The slot is free again once the first handler has returned.
  for (int i = 0; i < 100 && server.active() > 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  UniqueFd third = Connect(port);
  EXPECT_EQ(ReadAll(third.get()), "served");
}

TEST(ConnectionServerTest, IdleThreadsEndAfterTheirTimeout) {
  ConnectionServer::ThreadOptions options;
  options.idle_timeout = absl::Milliseconds(50);
  ConnectionServer server(
      4, [](int fd, const Endpoint&) { ASSERT_EQ(::write(fd, "x", 1), 1); }, nullptr, options);
  ASSERT_TRUE(server.Start({"127.0.0.1:0"}).ok());
  UniqueFd fd = Connect(server.bound()[0].port);
  EXPECT_EQ(ReadAll(fd.get()), "x");
  for (int i = 0; i < 200 && server.threads() > 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(server.threads(), 0);
  // A later connection starts a thread again.
  UniqueFd again = Connect(server.bound()[0].port);
  EXPECT_EQ(ReadAll(again.get()), "x");
}

TEST(ConnectionServerTest, StopShutsDownHandlersThatAreStillReading) {
  std::atomic<int> returned{0};
  ConnectionServer server(4, [&](int fd, const Endpoint&) {
    char c;
    while (::read(fd, &c, 1) > 0) {
    }
    ++returned;
  });
  ASSERT_TRUE(server.Start({"127.0.0.1:0"}).ok());
  UniqueFd a = Connect(server.bound()[0].port), b = Connect(server.bound()[0].port);
  for (int i = 0; i < 200 && server.active() < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(server.active(), 2);
  absl::Time before = absl::Now();
  server.Stop(absl::Milliseconds(100));
  EXPECT_LT(absl::Now() - before, absl::Seconds(3));
  EXPECT_EQ(returned.load(), 2);
  EXPECT_EQ(server.threads(), 0);
  EXPECT_EQ(server.active(), 0);
}

}  // namespace
}  // namespace spoolgate::net
