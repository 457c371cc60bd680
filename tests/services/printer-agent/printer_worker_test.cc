// PrinterWorker as the spooler sees it: which attempt a cancel stops and
// which attempt each report names.
#include "services/printer-agent/printer_worker.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace spoolgate::agent {
namespace {

// A device whose writes block while `held`, calling the stall hook as a
// real device does while it takes no data.
class HeldDevice : public Device {
 public:
  absl::Status Probe() override { return absl::OkStatus(); }
  absl::Status BeginJob(uint64_t) override {
    absl::MutexLock lock(&mu_);
    current_.clear();
    return absl::OkStatus();
  }
  absl::Status Write(absl::string_view data) override {
    absl::MutexLock lock(&mu_);
    ++writes_started_;
    while (held_) {
      mu_.AwaitWithTimeout(absl::Condition(+[](bool* held) { return !*held; }, &held_),
                           absl::Milliseconds(20));
      if (!held_) break;
      mu_.Unlock();
      absl::Status s = stall_hook_ ? stall_hook_(absl::Milliseconds(20)) : absl::OkStatus();
      mu_.Lock();
      if (!s.ok()) return s;
    }
    current_.append(data.data(), data.size());
    return absl::OkStatus();
  }
  absl::Status EndJob() override {
    absl::MutexLock lock(&mu_);
    printed_.push_back(current_);
    return absl::OkStatus();
  }
  void AbortJob() override {}

  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  bool WaitForWrite() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        absl::Condition(+[](int* n) { return *n > 0; }, &writes_started_), absl::Seconds(10));
  }
  std::vector<std::string> printed() {
    absl::MutexLock lock(&mu_);
    return printed_;
  }

 private:
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = true;
  int writes_started_ ABSL_GUARDED_BY(mu_) = 0;
  std::string current_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> printed_ ABSL_GUARDED_BY(mu_);
};

v1::AssignJob Assignment(uint64_t job_id, uint64_t lease, const std::string& data) {
  v1::AssignJob assign;
  assign.set_printer("p1");
  assign.set_lease(lease);
  assign.mutable_job()->set_id(job_id);
  auto* doc = assign.mutable_job()->add_documents();
  doc->set_index(0);
  doc->set_size_bytes(data.size());
  (*assign.mutable_documents())[0] = data;
  return assign;
}

class PrinterWorkerTest : public ::testing::Test {
 protected:
  void Start() {
    auto device = std::make_unique<HeldDevice>();
    device_ = device.get();
    PrinterWorker::Options options;
    options.name = "p1";
    options.queue = "office";
    options.uri = "test:";
    worker_ = std::make_unique<PrinterWorker>(
        options, std::move(device),
        [this](const v1::AgentMessage& m) {
          absl::MutexLock lock(&mu_);
          if (m.has_completed() || m.has_failed()) ends_.push_back(m);
        },
        nullptr);
  }
  // The first `n` job-end reports (completed or failed), waiting up to 10 s.
  std::vector<v1::AgentMessage> Ends(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return ends_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
    return ends_;
  }

  absl::Mutex mu_;
  std::vector<v1::AgentMessage> ends_ ABSL_GUARDED_BY(mu_);
  HeldDevice* device_ = nullptr;
  std::unique_ptr<PrinterWorker> worker_;
};

TEST_F(PrinterWorkerTest, ACancelStopsOnlyTheAttemptItNames) {
  Start();
  worker_->Assign(Assignment(7, /*lease=*/100, "first attempt"));
  ASSERT_TRUE(device_->WaitForWrite());
  // The spooler withdrew attempt 100 and gave the job to this printer again.
  worker_->Assign(Assignment(7, /*lease=*/101, "second attempt"));
  EXPECT_FALSE(worker_->Cancel(7, /*lease=*/99));  // no such attempt here
  EXPECT_TRUE(worker_->Cancel(7, /*lease=*/100));
  device_->Release();
  auto ends = Ends(2);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].failed().job_id(), 7u);
  EXPECT_EQ(ends[0].failed().lease(), 100u);
  EXPECT_EQ(ends[0].failed().disposition(), v1::FAILURE_DISPOSITION_CANCEL);
  EXPECT_EQ(ends[1].completed().job_id(), 7u);
  EXPECT_EQ(ends[1].completed().lease(), 101u);
  EXPECT_THAT(device_->printed(), ::testing::ElementsAre("second attempt"));
}

TEST_F(PrinterWorkerTest, ACancelOfAQueuedAttemptDropsItAndLeaseZeroMeansAny) {
  Start();
  worker_->Assign(Assignment(1, /*lease=*/10, "one"));
  ASSERT_TRUE(device_->WaitForWrite());
  worker_->Assign(Assignment(2, /*lease=*/11, "two"));
  worker_->Assign(Assignment(3, /*lease=*/12, "three"));
  EXPECT_TRUE(worker_->Cancel(2, /*lease=*/11));  // queued: dropped unprinted
  EXPECT_TRUE(worker_->Cancel(3, /*lease=*/0));   // a spooler without leases
  EXPECT_FALSE(worker_->Cancel(2, /*lease=*/11));
  device_->Release();
  auto ends = Ends(1);
  ASSERT_GE(ends.size(), 1u);
  EXPECT_EQ(ends[0].completed().job_id(), 1u);
  EXPECT_EQ(ends[0].completed().lease(), 10u);
  absl::SleepFor(absl::Milliseconds(200));  // nothing else is printed
  EXPECT_THAT(device_->printed(), ::testing::ElementsAre("one"));
  EXPECT_EQ(Ends(1).size(), 1u);
}

}  // namespace
}  // namespace spoolgate::agent
