#include "services/spooler/job_state.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "tests/testing/status_matchers.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;

constexpr v1::JobState kAll[] = {
    v1::JOB_STATE_UNSPECIFIED, v1::JOB_STATE_RECEIVING, v1::JOB_STATE_PENDING,
    v1::JOB_STATE_HELD,        v1::JOB_STATE_PRINTING,  v1::JOB_STATE_COMPLETED,
    v1::JOB_STATE_FAILED,      v1::JOB_STATE_CANCELLED};

// Exactly the transitions of docs/design.md; every other pair must be refused.
const std::set<std::pair<v1::JobState, v1::JobState>> kLegal = {
    {v1::JOB_STATE_RECEIVING, v1::JOB_STATE_PENDING},
    {v1::JOB_STATE_RECEIVING, v1::JOB_STATE_HELD},
    {v1::JOB_STATE_RECEIVING, v1::JOB_STATE_CANCELLED},
    {v1::JOB_STATE_PENDING, v1::JOB_STATE_HELD},
    {v1::JOB_STATE_PENDING, v1::JOB_STATE_PRINTING},
    {v1::JOB_STATE_PENDING, v1::JOB_STATE_CANCELLED},
    {v1::JOB_STATE_HELD, v1::JOB_STATE_PENDING},
    {v1::JOB_STATE_HELD, v1::JOB_STATE_CANCELLED},
    {v1::JOB_STATE_PRINTING, v1::JOB_STATE_COMPLETED},
    {v1::JOB_STATE_PRINTING, v1::JOB_STATE_FAILED},
    {v1::JOB_STATE_PRINTING, v1::JOB_STATE_PENDING},
    {v1::JOB_STATE_PRINTING, v1::JOB_STATE_HELD},
    {v1::JOB_STATE_PRINTING, v1::JOB_STATE_CANCELLED},
};

TEST(JobStateTest, AllowsExactlyTheDesignedTransitions) {
  for (auto from : kAll) {
    for (auto to : kAll) {
      SCOPED_TRACE(std::string(JobStateName(from)) + " -> " + std::string(JobStateName(to)));
      if (kLegal.count({from, to})) {
        EXPECT_THAT(CheckTransition(from, to), IsOk());
      } else {
        EXPECT_THAT(CheckTransition(from, to), StatusIs(absl::StatusCode::kFailedPrecondition));
      }
    }
  }
}

TEST(JobStateTest, FinalStatesAreExactlyCompletedFailedCancelled) {
  EXPECT_TRUE(IsFinalState(v1::JOB_STATE_COMPLETED));
  EXPECT_TRUE(IsFinalState(v1::JOB_STATE_FAILED));
  EXPECT_TRUE(IsFinalState(v1::JOB_STATE_CANCELLED));
  EXPECT_FALSE(IsFinalState(v1::JOB_STATE_PENDING));
  EXPECT_FALSE(IsFinalState(v1::JOB_STATE_PRINTING));
  EXPECT_FALSE(IsFinalState(v1::JOB_STATE_HELD));
  EXPECT_FALSE(IsFinalState(v1::JOB_STATE_RECEIVING));
}

TEST(JobStateTest, RefusalNamesBothStates) {
  auto status = CheckTransition(v1::JOB_STATE_COMPLETED, v1::JOB_STATE_PENDING);
  EXPECT_EQ(status.message(), "job is completed, cannot become pending");
}

}  // namespace
}  // namespace spoolgate::spooler
