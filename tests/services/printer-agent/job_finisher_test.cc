// The finisher publishes jobs in order, lets jobs that queued up behind a
// slow publish share one sync, and reports each job only after that sync.
#include "services/printer-agent/job_finisher.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "tests/testing/recorded_events.h"

namespace spoolgate::agent {
namespace {
using ::testing::ElementsAre;

// What the finisher does, in order: "p1" (publish of job 1), "sync",
// "r1 OK" (report of job 1 and its status code).
using Trace = ::spoolgate::testing::RecordedEvents;

class JobFinisherTest : public ::testing::Test {
 protected:
  // A job whose publish returns `outcome` after `before` (if any) ran.
  Device::Finish Job(int id, absl::Status outcome = absl::OkStatus(),
                     std::function<void()> before = nullptr) {
    return Device::Finish{.publish =
                              [this, id, outcome, before] {
                                if (before) before();
                                trace_.Add(absl::StrCat("p", id));
                                return outcome;
                              },
                          .sync = [this] { trace_.Add("sync"); }};
  }
  JobFinisher::Report Report(int id) {
    return [this, id](const absl::Status& s) {
      trace_.Add(absl::StrCat("r", id, " ", absl::StatusCodeToString(s.code())));
    };
  }
  // Posts job 1 and runs `meanwhile` while its publish is under way.
  void WhileJob1Publishes(JobFinisher& finisher, const std::function<void()>& meanwhile) {
    finisher.Post(Job(1, absl::OkStatus(),
                      [this] {
                        publishing_.Notify();
                        go_on_.WaitForNotification();
                      }),
                  Report(1));
    publishing_.WaitForNotification();
    meanwhile();
    go_on_.Notify();
  }

  Trace trace_;
  absl::Notification publishing_, go_on_;  // outlive the finisher's use
};

TEST_F(JobFinisherTest, JobsPostedDuringAPublishJoinItsSyncAndReportInOrder) {
  JobFinisher finisher;
  WhileJob1Publishes(finisher, [&] {
    finisher.Post(Job(2), Report(2));
    finisher.Post(Job(3), Report(3));
  });
  EXPECT_THAT(trace_.Await(7),
              ElementsAre("p1", "p2", "p3", "sync", "r1 OK", "r2 OK", "r3 OK"));
}

TEST_F(JobFinisherTest, AJobPostedDuringTheSyncWaitsForTheNextOne) {
  JobFinisher finisher;
  absl::Notification syncing, go_on;
  Device::Finish first = Job(1);
  first.sync = [&] {
    trace_.Add("sync");
    syncing.Notify();
    go_on.WaitForNotification();
  };
  finisher.Post(std::move(first), Report(1));
  syncing.WaitForNotification();
  finisher.Post(Job(2), Report(2));
  go_on.Notify();
  EXPECT_THAT(trace_.Await(6), ElementsAre("p1", "sync", "r1 OK", "p2", "sync", "r2 OK"));
}

TEST_F(JobFinisherTest, AFailedPublishIsReportedAndTheOthersStillSync) {
  JobFinisher finisher;
  WhileJob1Publishes(finisher, [&] {
    finisher.Post(Job(2, absl::UnavailableError("disk gone")), Report(2));
    finisher.Post(Job(3), Report(3));
  });
  EXPECT_THAT(trace_.Await(7),
              ElementsAre("p1", "p2", "p3", "sync", "r1 OK", "r2 UNAVAILABLE", "r3 OK"));
}

TEST_F(JobFinisherTest, NothingPublishedMeansNoSync) {
  JobFinisher finisher;
  finisher.Post(Job(1, absl::UnavailableError("disk gone")), Report(1));
  EXPECT_THAT(trace_.Await(2), ElementsAre("p1", "r1 UNAVAILABLE"));
}

TEST_F(JobFinisherTest, JobsOfADeviceWithoutSyncAreReported) {
  JobFinisher finisher;
  Device::Finish end = Job(1);
  end.sync = nullptr;
  finisher.Post(std::move(end), Report(1));
  EXPECT_THAT(trace_.Await(2), ElementsAre("p1", "r1 OK"));
}

TEST_F(JobFinisherTest, TheDestructorFinishesWhatWasPosted) {
  {
    JobFinisher finisher;
    for (int id = 1; id <= 3; ++id) finisher.Post(Job(id), Report(id));
  }
  std::vector<std::string> events = trace_.Await(0);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "r3 OK");
  EXPECT_EQ(std::count(events.begin(), events.end(), "p3"), 1);
}

}  // namespace
}  // namespace spoolgate::agent
