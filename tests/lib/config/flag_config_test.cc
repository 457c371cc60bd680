#include "lib/config/flag_config.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "lib/base/command_line.h"
#include "spoolgate/v1/config.pb.h"
#include "tests/testing/status_matchers.h"

ABSL_FLAG(std::string, test_listen, "0.0.0.0:1", "a string flag");
ABSL_FLAG(uint32_t, test_attempts, 5, "a number flag");
ABSL_FLAG(bool, test_switch, false, "a bool flag");
ABSL_FLAG(std::vector<std::string>, queues, {}, "a list flag whose name is also a proto field");
ABSL_FLAG(std::vector<std::string>, test_hosts, {}, "a list flag");

namespace spoolgate {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;

class FlagConfigTest : public ::testing::Test {
 protected:
  void SetCommandLine(std::vector<const char*> args) {
    args.insert(args.begin(), "test");
    RememberCommandLine(static_cast<int>(args.size()), const_cast<char**>(args.data()));
  }
  void SetUp() override { SetCommandLine({}); }
  absl::FlagSaver saver_;  // every test starts from the defaults
};

TEST_F(FlagConfigTest, KeysSetFlagsOfEveryType) {
  v1::SpoolerConfig structured;
  ASSERT_THAT(ApplyYamlConfig(R"(
test_listen: 127.0.0.1:7600
test_attempts: 9
test_switch: true
test_hosts: [10.0.0.0/8, "::1"]
)", &structured), IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_listen), "127.0.0.1:7600");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_attempts), 9u);
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_switch));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_hosts), (std::vector<std::string>{"10.0.0.0/8", "::1"}));
}

TEST_F(FlagConfigTest, TheCommandLineWins) {
  SetCommandLine({"--test_attempts=3"});
  absl::SetFlag(&FLAGS_test_attempts, 3);
  v1::SpoolerConfig structured;
  ASSERT_THAT(ApplyYamlConfig("test_attempts: 9\ntest_listen: a:1\n", &structured), IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_attempts), 3u);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_listen), "a:1");
}

TEST_F(FlagConfigTest, AKeyOfBothSplitsPlainItemsFromMappings) {
  v1::SpoolerConfig structured;
  ASSERT_THAT(ApplyYamlConfig("queues: [office, {name: lab, description: Lab}, front]\n",
                              &structured),
              IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_queues), (std::vector<std::string>{"office", "front"}));
  ASSERT_EQ(structured.queues_size(), 1);
  EXPECT_EQ(structured.queues(0).description(), "Lab");
}

TEST_F(FlagConfigTest, RefusesUnknownKeysBadValuesAndCommandLineOnlyKeys) {
  v1::SpoolerConfig structured;
  EXPECT_THAT(ApplyYamlConfig("test_lisen: x\n", &structured),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ApplyYamlConfig("test_attempts: many\n", &structured),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ApplyYamlConfig("test_attempts: [1, 2]\n", &structured),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ApplyYamlConfig("test_listen: {a: b}\n", &structured),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ApplyYamlConfig("config: other.yaml\n", &structured),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ApplyYamlConfig("help: true\n", &structured),  // Abseil's own flag
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(FlagConfigTest, EffectiveConfigReadsBackTheSame) {
  v1::SpoolerConfig structured;
  ASSERT_THAT(ApplyYamlConfig(R"(
test_listen: "x: \"quoted\""
test_attempts: 7
test_hosts: [a, b]
queues: [office, {name: lab, max_job_bytes: 1000}]
)", &structured), IsOk());
  std::string printed = EffectiveConfigYaml(structured);
  EXPECT_NE(printed.find("test_attempts: 7  # uint32\n"), std::string::npos) << printed;
  EXPECT_NE(printed.find("test_hosts: [\"a\", \"b\"]  # list\n"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("help"), std::string::npos) << printed;

  absl::SetFlag(&FLAGS_test_listen, "");
  absl::SetFlag(&FLAGS_test_attempts, 1);
  absl::SetFlag(&FLAGS_test_hosts, {});
  absl::SetFlag(&FLAGS_queues, {});
  v1::SpoolerConfig again;
  ASSERT_THAT(ApplyYamlConfig(printed, &again), IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_listen), "x: \"quoted\"");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_attempts), 7u);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_hosts), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(absl::GetFlag(FLAGS_queues), (std::vector<std::string>{"office"}));
  ASSERT_EQ(again.queues_size(), 1);
  EXPECT_EQ(again.queues(0).max_job_bytes(), 1000u);
}

}  // namespace
}  // namespace spoolgate
