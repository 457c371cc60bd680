// PrinterWorker as the spooler sees it: which attempt a cancel stops and
// which attempt each report names.
#include "services/printer-agent/printer_worker.h"

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace spoolgate::agent {
namespace {

// A device whose writes block while `held`, calling the stall hook as a
// real device does while it takes no data.
class HeldDevice : public Device {
 public:
  absl::Status Probe() override { return absl::OkStatus(); }
  absl::Status BeginJob(uint64_t job_id) override {
    absl::MutexLock lock(&mu_);
    current_id_ = job_id;
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
  // Waits until job `id` was begun and `bytes` of it written.
  bool WaitForJob(uint64_t id, size_t bytes) {
    absl::MutexLock lock(&mu_);
    auto there = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return current_id_ == id && current_.size() >= bytes;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&there), absl::Seconds(10));
  }
  std::vector<std::string> printed() {
    absl::MutexLock lock(&mu_);
    return printed_;
  }

 protected:
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = true;
  int writes_started_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t current_id_ ABSL_GUARDED_BY(mu_) = 0;
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

// A worker on a fake device that keeps every message the worker reports.
class WorkerTest : public ::testing::Test {
 protected:
  // Starts the worker on a new `Fake`, which it owns; returns the fake.
  template <typename Fake>
  Fake* Start(absl::Duration settle_delay = PrinterWorker::Options().settle_delay) {
    auto device = std::make_unique<Fake>();
    Fake* fake = device.get();
    PrinterWorker::Options options;
    options.settle_delay = settle_delay;
    options.name = "p1";
    options.queue = "office";
    options.uri = "test:";
    options.probe_interval = absl::Milliseconds(50);
    worker_ = std::make_unique<PrinterWorker>(
        options, std::move(device),
        [this](const v1::AgentMessage& m) {
          absl::MutexLock lock(&mu_);
          messages_.push_back(m);
        },
        nullptr);
    return fake;
  }
  // What was reported, once `done` holds of it (or after 10 s).
  std::vector<v1::AgentMessage> MessagesOnce(
      std::function<bool(const std::vector<v1::AgentMessage>&)> done) {
    absl::MutexLock lock(&mu_);
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done(messages_); };
    mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(10));
    return messages_;
  }
  // The job-end reports (completed or failed) among `messages`.
  static std::vector<v1::AgentMessage> EndReports(const std::vector<v1::AgentMessage>& messages) {
    std::vector<v1::AgentMessage> ends;
    for (const auto& m : messages) {
      if (m.has_completed() || m.has_failed()) ends.push_back(m);
    }
    return ends;
  }

  absl::Mutex mu_;
  std::vector<v1::AgentMessage> messages_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<PrinterWorker> worker_;
};

// The printer states reported, in order.
std::vector<v1::PrinterState> States(const std::vector<v1::AgentMessage>& messages) {
  std::vector<v1::PrinterState> states;
  for (const auto& m : messages) {
    if (m.has_printer_status()) states.push_back(m.printer_status().state());
  }
  return states;
}

class PrinterWorkerTest : public WorkerTest {
 protected:
  void Start(absl::Duration settle_delay = PrinterWorker::Options().settle_delay) {
    device_ = WorkerTest::Start<HeldDevice>(settle_delay);
  }
  // The job-end reports, once there are `n` (or after 10 s).
  std::vector<v1::AgentMessage> Ends(size_t n) {
    return EndReports(MessagesOnce([n](const auto& m) { return EndReports(m).size() >= n; }));
  }

  HeldDevice* device_ = nullptr;
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

TEST_F(PrinterWorkerTest, ANextJobSentAfterTheReportKeepsThePrinterPrintingThenItSettlesIdle) {
  Start(/*settle_delay=*/absl::Seconds(2));
  worker_->Assign(Assignment(1, /*lease=*/10, "one"));
  device_->Release();
  ASSERT_EQ(Ends(1).size(), 1u);
  // The spooler's answer to the report: the next job, a round trip later.
  absl::SleepFor(absl::Milliseconds(100));
  worker_->Assign(Assignment(2, /*lease=*/11, "two"));
  ASSERT_EQ(Ends(2).size(), 2u);
  auto settled = MessagesOnce([](const auto& m) {
    return EndReports(m).size() == 2 && States(m).back() == v1::PRINTER_STATE_IDLE;
  });
  // From the first job on (the probe at start may report idle first):
  // printing through both jobs, idle once no third job came.
  std::vector<v1::PrinterState> states = States(settled);
  states.erase(states.begin(), std::find(states.begin(), states.end(), v1::PRINTER_STATE_PRINTING));
  EXPECT_THAT(states, ::testing::ElementsAre(v1::PRINTER_STATE_PRINTING, v1::PRINTER_STATE_IDLE));
  EXPECT_THAT(device_->printed(), ::testing::ElementsAre("one", "two"));
}

// A device that ends jobs deferred, as dir: does: a job's Finish waits
// until the test opens that job's gate, then publishes it or fails.
class DeferringDevice : public HeldDevice {
 public:
  absl::StatusOr<std::optional<Finish>> EndJobDeferred() override {
    absl::MutexLock lock(&mu_);
    uint64_t id = current_id_;
    std::string data = current_;
    return Finish{.publish = [this, id, data]() -> absl::Status {
                    absl::MutexLock lock(&mu_);
                    auto open = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                      return open_gates_.count(id) > 0;
                    };
                    mu_.Await(absl::Condition(&open));
                    if (failing_.count(id)) return absl::UnavailableError("device: the disk went away");
                    printed_.push_back(data);
                    return absl::OkStatus();
                  },
                  .sync = nullptr};
  }
  void OpenGate(uint64_t id, bool fail = false) {
    absl::MutexLock lock(&mu_);
    if (fail) failing_.insert(id);
    open_gates_.insert(id);
  }

 private:
  std::set<uint64_t> open_gates_ ABSL_GUARDED_BY(mu_);
  std::set<uint64_t> failing_ ABSL_GUARDED_BY(mu_);
};

class DeferredEndTest : public WorkerTest {
 protected:
  void SetUp() override { device_ = Start<DeferringDevice>(); }
  static bool LastStateIs(const std::vector<v1::AgentMessage>& messages, v1::PrinterState state) {
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
      if (it->has_printer_status()) return it->printer_status().state() == state;
    }
    return false;
  }
  // The job ends in the order reported, as "c7" (completed) or "f7" (failed).
  static std::vector<std::string> Ends(const std::vector<v1::AgentMessage>& messages) {
    std::vector<std::string> ends;
    for (const auto& m : EndReports(messages)) {
      ends.push_back(m.has_completed() ? absl::StrCat("c", m.completed().job_id())
                                       : absl::StrCat("f", m.failed().job_id()));
    }
    return ends;
  }

  DeferringDevice* device_ = nullptr;
};

TEST_F(DeferredEndTest, TheNextJobPrintsWhileTheLastIsMadeDurableAndReportsKeepTheirOrder) {
  worker_->Assign(Assignment(1, 10, "one"));
  worker_->Assign(Assignment(2, 11, "two"));  // queued while job 1 is written
  device_->Release();
  // Job 2 is written while job 1's end still waits, and nothing is reported.
  ASSERT_TRUE(device_->WaitForJob(2, 3));
  // Job 2's end may go ahead, but it waits its turn behind job 1's.
  device_->OpenGate(2);
  absl::SleepFor(absl::Milliseconds(100));
  auto before = MessagesOnce([](const auto&) { return true; });
  EXPECT_TRUE(Ends(before).empty());
  EXPECT_FALSE(LastStateIs(before, v1::PRINTER_STATE_IDLE));
  EXPECT_TRUE(device_->printed().empty());
  device_->OpenGate(1);
  auto after = MessagesOnce([](const auto& m) { return LastStateIs(m, v1::PRINTER_STATE_IDLE); });
  EXPECT_THAT(Ends(after), ::testing::ElementsAre("c1", "c2"));
  EXPECT_THAT(device_->printed(), ::testing::ElementsAre("one", "two"));
  // Idle only once both were reported.
  EXPECT_TRUE(after.back().has_printer_status());
}

TEST_F(DeferredEndTest, ADeferredEndThatFailsIsReportedAndShownOnThePrinter) {
  worker_->Assign(Assignment(1, 10, "one"));
  worker_->Assign(Assignment(2, 11, "two"));
  device_->Release();
  ASSERT_TRUE(device_->WaitForJob(2, 3));
  device_->OpenGate(1, /*fail=*/true);
  device_->OpenGate(2);
  auto after = MessagesOnce([](const auto& m) { return Ends(m).size() == 2; });
  ASSERT_THAT(Ends(after), ::testing::ElementsAre("f1", "c2"));
  for (const auto& m : after) {
    if (!m.has_failed()) continue;
    EXPECT_EQ(m.failed().lease(), 10u);
    EXPECT_EQ(m.failed().disposition(), v1::FAILURE_DISPOSITION_RETRY);
  }
  // The failure shows as the printer's state once the worker is between
  // jobs, and a good probe then brings it back.
  auto shown = MessagesOnce([](const auto& m) {
    for (const auto& x : m) {
      if (x.has_printer_status() && x.printer_status().state() == v1::PRINTER_STATE_OFFLINE) return true;
    }
    return false;
  });
  EXPECT_FALSE(LastStateIs(shown, v1::PRINTER_STATE_PRINTING));
  auto back = MessagesOnce([](const auto& m) { return LastStateIs(m, v1::PRINTER_STATE_IDLE); });
  EXPECT_TRUE(LastStateIs(back, v1::PRINTER_STATE_IDLE));
  EXPECT_THAT(device_->printed(), ::testing::ElementsAre("two"));
}

}  // namespace
}  // namespace spoolgate::agent
