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
queues:
  - name: office
    accepting: true
    enabled: true
    description: "2nd floor"
    max_job_bytes: 1000
  - name: "0123"
)", &config), IsOk());
  ASSERT_EQ(config.queues_size(), 2);
  EXPECT_TRUE(config.queues(0).accepting());
  EXPECT_EQ(config.queues(0).description(), "2nd floor");
  EXPECT_EQ(config.queues(0).max_job_bytes(), 1000u);
  EXPECT_EQ(config.queues(1).name(), "0123");
}

TEST(ConfigLoaderTest, MapsNestedMaps) {
  v1::LpdGatewayConfig config;
  ASSERT_THAT(ParseYamlConfig("queue_allow:\n  lab: {cidrs: [127.0.0.2/32, \"::1\"]}\n", &config),
              IsOk());
  ASSERT_EQ(config.queue_allow().count("lab"), 1u);
  EXPECT_EQ(config.queue_allow().at("lab").cidrs(1), "::1");
}

TEST(ConfigLoaderTest, RejectsUnknownKeysAndWrongTypes) {
  v1::SpoolerConfig config;
  EXPECT_THAT(ParseYamlConfig("queus: []\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseYamlConfig("queues: [{name: a, max_job_bytes: many}]\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseYamlConfig("- a\n- b\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseYamlConfig("key: [unclosed\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ConfigLoaderTest, EmptyFileLeavesDefaults) {
  v1::SpoolerConfig config;
  EXPECT_THAT(ParseYamlConfig("", &config), IsOk());
  EXPECT_EQ(config.queues_size(), 0);
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  v1::SpoolerConfig config;
  EXPECT_THAT(LoadYamlConfigFile("/nonexistent/spooler.yaml", &config),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ConfigLoaderTest, JsonQuoteEscapesControlBytes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace spoolgate
