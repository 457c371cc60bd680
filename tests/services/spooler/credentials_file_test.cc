#include "services/spooler/credentials_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kHash(64, 'a');

TEST(ParseCredentialsTest, TokensAndCertificatesWithCommentsAndBlankLines) {
  auto parsed = ParseCredentials(
      "# role name credential\n"
      "\n"
      "intake  lpd-gateway  sha256:" + std::string(64, 'B') + "\n"
      "agent\tprintroom\tcert:agent-1.office.example   # the room's box\r\n"
      "admin alice " + kHash + "\n"
      "admin alice cert:alice@office.example\n");
  ASSERT_THAT(parsed, IsOk());
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].role, Role::kIntake);
  EXPECT_EQ((*parsed)[0].name, "lpd-gateway");
  EXPECT_EQ((*parsed)[0].token_sha256, std::string(64, 'b'));  // lower-cased
  EXPECT_EQ((*parsed)[1].role, Role::kAgent);
  EXPECT_EQ((*parsed)[1].cert_identity, "agent-1.office.example");
  EXPECT_TRUE((*parsed)[1].token_sha256.empty());
  EXPECT_EQ((*parsed)[2].token_sha256, kHash);
  EXPECT_EQ((*parsed)[3].cert_identity, "alice@office.example");
}

TEST(ParseCredentialsTest, EmptyFileHasNoCredentials) {
  auto parsed = ParseCredentials("# nobody yet\n\n");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_TRUE(parsed->empty());
}

TEST(ParseCredentialsTest, RefusesWhatWouldBeAMistake) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"intake gw\n", "line 1: expected: role name credential"},
      {"intake gw " + kHash + " extra\n", "expected: role name credential"},
      {"\nroot gw " + kHash + "\n", "line 2: unknown role 'root'"},
      {"intake bad/name " + kHash + "\n", "a name is 1-64"},
      {"intake " + std::string(65, 'n') + " " + kHash + "\n", "a name is 1-64"},
      {"intake gw my-plain-token\n", "never the token"},
      {"intake gw sha256:" + std::string(63, 'a') + "\n", "never the token"},
      {"intake gw sha256:" + std::string(63, 'a') + "g\n", "never the token"},
      {"agent box cert:\n", "bad certificate identity"},
      {"intake gw " + kHash + "\nadmin gw cert:gw\n", "line 2: 'gw' already has role intake"},
      {"intake gw " + kHash + "\nintake other sha256:" + kHash + "\n", "listed twice"},
      {"agent a cert:box\nagent b cert:box\n", "listed twice"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(ParseCredentials(c.text), StatusIs(absl::StatusCode::kInvalidArgument))
        << c.text;
    EXPECT_THAT(std::string(ParseCredentials(c.text).status().message()), HasSubstr(c.error))
        << c.text;
  }
}

TEST(ParseCredentialsTest, ArbitraryBytesNeverCrash) {
  std::string text;
  for (int i = 0; i < 4096; ++i) text.push_back(static_cast<char>((i * 131) % 256));
  (void)ParseCredentials(text);
  (void)ParseCredentials(std::string("admin a sha256:\0", 16));
}

}  // namespace
}  // namespace spoolgate::spooler
