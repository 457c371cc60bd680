#include <crypt.h>

#include <fstream>

#include <gtest/gtest.h>

#include "services/ftp-gateway/ftp_gateway.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::ftp {
namespace {
using ::spoolgate::testing::StatusIs;
using ::spoolgate::testing::TempDir;

TEST(UsersFileTest, ChecksPasswordsAgainstSaltedHashes) {
  TempDir dir;
  crypt_data data{};
  std::string hash = crypt_r("s3cret", "$6$pepper.salt$", &data);
  { std::ofstream(dir.Sub("users")) << "# comment\nalice:" << hash << "\n"; }
  auto auth = LoadUsersFile(dir.Sub("users"));
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_TRUE((*auth)("alice", "s3cret"));
  EXPECT_FALSE((*auth)("alice", "wrong"));
  EXPECT_FALSE((*auth)("bob", "s3cret"));
}

TEST(UsersFileTest, RefusesPlainTextPasswordsAndMissingFiles) {
  TempDir dir;
  { std::ofstream(dir.Sub("users")) << "alice:plaintext\n"; }
  EXPECT_THAT(LoadUsersFile(dir.Sub("users")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadUsersFile(dir.Sub("none")), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace spoolgate::ftp
