#include "lib/config/config_loader.h"

#include <gtest/gtest.h>

#include "spoolgate/v1/config.pb.h"
#include "tests/testing/status_matchers.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;

TEST(ConfigLoaderTest, MapsYamlOntoTheConfigProto) {
  v1::SpoolerConfig config;
  ASSERT_THAT(ParseYamlConfig(R"(
listen: 127.0.0.1:7600
data_dir: /var/lib/spoolgate
max_attempts: 3
min_free_disk_bytes: 1048576
admin_hosts: [127.0.0.1, "10.0.0.0/8"]
queues:
  - name: office
    accepting: true
    enabled: true
    description: "2nd floor"
    max_job_bytes: 1000
  - name: "0123"
)", &config), IsOk());
  EXPECT_EQ(config.listen(), "127.0.0.1:7600");
  EXPECT_EQ(config.max_attempts(), 3u);
  EXPECT_EQ(config.min_free_disk_bytes(), 1048576u);
  ASSERT_EQ(config.admin_hosts_size(), 2);
  EXPECT_EQ(config.admin_hosts(1), "10.0.0.0/8");
  ASSERT_EQ(config.queues_size(), 2);
  EXPECT_EQ(config.queues(0).description(), "2nd floor");
  EXPECT_EQ(config.queues(0).max_job_bytes(), 1000u);
  EXPECT_EQ(config.queues(1).name(), "0123");
}

TEST(ConfigLoaderTest, RejectsUnknownKeysAndWrongTypes) {
  v1::SpoolerConfig config;
  EXPECT_THAT(ParseYamlConfig("lisen: 1.2.3.4:5\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseYamlConfig("max_attempts: many\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseYamlConfig("- a\n- b\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseYamlConfig("key: [unclosed\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ConfigLoaderTest, EmptyFileLeavesDefaults) {
  v1::SpoolerConfig config;
  EXPECT_THAT(ParseYamlConfig("", &config), IsOk());
  EXPECT_EQ(config.listen(), "");
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  v1::SpoolerConfig config;
  EXPECT_THAT(LoadYamlConfigFile("/nonexistent/spooler.yaml", &config),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace spoolgate
