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

AgentConnection Connection() { return AgentConnection("vm", "ipv4:127.0.0.1:1", absl::Now()); }

TEST(AgentConnectionTest, MessagesComeOutInOrder) {
  AgentConnection agent = Connection();
  agent.Send(Cancel(1));
  agent.SendCancel(2, 7, "withdrawn");
  v1::SpoolerMessage message;
  ASSERT_TRUE(agent.TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), 1u);
  ASSERT_TRUE(agent.TryNext(&message));
  EXPECT_EQ(message.cancel().job_id(), 2u);
  EXPECT_EQ(message.cancel().lease(), 7u);
  EXPECT_EQ(message.cancel().reason(), "withdrawn");
  EXPECT_FALSE(agent.TryNext(&message));
}

TEST(AgentConnectionTest, ListenerHearsOfEveryMessageAndOfMessagesQueuedBefore) {
  AgentConnection agent = Connection();
  agent.Send(Cancel(1));  // before there is a listener
  CountingListener listener;
  agent.SetListener(&listener);
  EXPECT_EQ(listener.queued(), 1);  // told at once of what waits
  agent.Send(Cancel(2));
  EXPECT_EQ(listener.queued(), 2);
  EXPECT_EQ(listener.closed(), 0);
  agent.RemoveListener();
}

TEST(AgentConnectionTest, ClosedConnectionDropsMessagesAndSaysSo) {
  AgentConnection agent = Connection();
  CountingListener listener;
  agent.SetListener(&listener);
  int queued = listener.queued();
  agent.Close();
  EXPECT_EQ(listener.closed(), 1);
  agent.Send(Cancel(3));
  EXPECT_EQ(listener.queued(), queued);
  v1::SpoolerMessage message;
  EXPECT_FALSE(agent.TryNext(&message));
  agent.RemoveListener();
}

TEST(AgentConnectionTest, ListenerSetAfterCloseHearsOfIt) {
  AgentConnection agent = Connection();
  agent.Close();
  CountingListener listener;
  agent.SetListener(&listener);
  EXPECT_EQ(listener.closed(), 1);
  agent.RemoveListener();
}

TEST(AgentConnectionTest, RemoveListenerWaitsForACallInProgressAndEndsTheCalls) {
  AgentConnection agent = Connection();
  CountingListener listener;
  agent.SetListener(&listener);
  listener.hold_ = true;
  std::thread sender([&] { agent.Send(Cancel(4)); });
  listener.entered_.WaitForNotification();
  absl::Notification removed;
  std::thread remover([&] {
    agent.RemoveListener();
    removed.Notify();
  });
  // The listener is still inside OnQueued: RemoveListener must not return.
  EXPECT_FALSE(removed.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  listener.release_.Notify();
  EXPECT_TRUE(removed.WaitForNotificationWithTimeout(absl::Seconds(10)));
  sender.join();
  remover.join();
  int queued = listener.queued();
  agent.Send(Cancel(5));
  agent.Close();
  EXPECT_EQ(listener.queued(), queued);
  EXPECT_EQ(listener.closed(), 0);
}

}  // namespace
}  // namespace spoolgate::spooler
