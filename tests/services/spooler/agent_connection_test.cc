#include "services/spooler/agent_connection.h"

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace spoolgate::spooler {
namespace {

// Counts what it hears; OnQueued can be made to wait for a release.
class CountingListener : public AgentConnection::Listener {
 public:
  void OnQueued() override {
    {
      absl::MutexLock lock(&mu_);
      ++queued_;
    }
    if (hold_) {
      entered_.Notify();
      release_.WaitForNotification();
    }
  }
  void OnClosed() override {
    absl::MutexLock lock(&mu_);
    ++closed_;
  }
  int queued() {
    absl::MutexLock lock(&mu_);
    return queued_;
  }
  int closed() {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

  bool hold_ = false;
  absl::Notification entered_;
  absl::Notification release_;

 private:
  absl::Mutex mu_;
  int queued_ ABSL_GUARDED_BY(mu_) = 0;
  int closed_ ABSL_GUARDED_BY(mu_) = 0;
};

v1::SpoolerMessage Cancel(uint64_t job_id) {
  v1::SpoolerMessage message;
  message.mutable_cancel()->set_job_id(job_id);
  return message;
}

class AgentConnectionTest : public ::testing::Test {
 protected:
  AgentConnection agent_{"vm", "ipv4:127.0.0.1:1", absl::Now()};
  CountingListener listener_;
};

TEST_F(AgentConnectionTest, MessagesComeOutInOrder) {
  agent_.Send(Cancel(1));
  agent_.SendCancel(2, 7, "withdrawn");
  v1::SpoolerMessage message;
  ASSERT_TRUE(agent_.TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), 1u);
  ASSERT_TRUE(agent_.TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), 2u);
  EXPECT_EQ(message.cancel().lease(), 7u);
  EXPECT_EQ(message.cancel().reason(), "withdrawn");
  EXPECT_FALSE(agent_.TryNext(&message));
}

TEST_F(AgentConnectionTest, ListenerHearsOfEveryMessageAndOfMessagesQueuedBefore) {
  agent_.Send(Cancel(1));  // before there is a listener
  agent_.SetListener(&listener_);
  EXPECT_EQ(listener_.queued(), 1);  // told at once of what waits
  agent_.Send(Cancel(2));
  EXPECT_EQ(listener_.queued(), 2);
  EXPECT_EQ(listener_.closed(), 0);
  agent_.RemoveListener();
}

TEST_F(AgentConnectionTest, ClosedConnectionDropsMessagesAndSaysSo) {
  agent_.SetListener(&listener_);
  const int queued = listener_.queued();
  agent_.Close();
  EXPECT_EQ(listener_.closed(), 1);
  agent_.Send(Cancel(3));
  EXPECT_EQ(listener_.queued(), queued);
  v1::SpoolerMessage message;
  EXPECT_FALSE(agent_.TryNext(&message));
  agent_.RemoveListener();
}

TEST_F(AgentConnectionTest, ListenerSetAfterCloseHearsOfIt) {
  agent_.Close();
  agent_.SetListener(&listener_);
  EXPECT_EQ(listener_.closed(), 1);
  agent_.RemoveListener();
}

TEST_F(AgentConnectionTest, RemoveListenerWaitsForACallInProgressAndEndsTheCalls) {
  agent_.SetListener(&listener_);
  listener_.hold_ = true;
  std::thread sender([&] { agent_.Send(Cancel(4)); });
  listener_.entered_.WaitForNotification();
  absl::Notification removed;
  std::thread remover([&] {
    agent_.RemoveListener();
    removed.Notify();
  });
  // The listener is still inside OnQueued: RemoveListener must not return.
  EXPECT_FALSE(removed.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  listener_.release_.Notify();
  EXPECT_TRUE(removed.WaitForNotificationWithTimeout(absl::Seconds(10)));
  sender.join();
  remover.join();
  const int queued = listener_.queued();
  agent_.Send(Cancel(5));
  agent_.Close();
  EXPECT_EQ(listener_.queued(), queued);
  EXPECT_EQ(listener_.closed(), 0);
}

}  // namespace
}  // namespace spoolgate::spooler
