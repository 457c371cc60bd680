#include "lib/base/checksum.h"

#include <algorithm>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace spoolgate {
namespace {

// Expected values from the reference tools: `xxhsum -H2` and `sha256sum`.
TEST(ChecksumTest, MatchesTheReferenceTools) {
  EXPECT_EQ(Checksum::Of(ChecksumAlgorithm::kXxh3_128, ""),
            "xxh3-128:99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(Checksum::Of(ChecksumAlgorithm::kXxh3_128, "abc"),
            "xxh3-128:06b05ab6733a618578af5f94892f3950");
  EXPECT_EQ(Checksum::Of(ChecksumAlgorithm::kSha256, "abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ChecksumTest, PiecesGiveTheSameChecksumAsTheWholeAndFinishRestarts) {
  std::string data(3 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + i / 7);
  for (ChecksumAlgorithm algorithm : {ChecksumAlgorithm::kXxh3_128, ChecksumAlgorithm::kSha256}) {
    Checksum checksum(algorithm);
    for (size_t at = 0; at < data.size();) {
      size_t n = std::min<size_t>(data.size() - at, 1 + at % 70001);
      checksum.Update(absl::string_view(data).substr(at, n));
      at += n;
    }
    EXPECT_EQ(checksum.Finish(), Checksum::Of(algorithm, data));
    checksum.Update("abc");
    EXPECT_EQ(checksum.Finish(), Checksum::Of(algorithm, "abc"));
  }
}

TEST(ChecksumTest, ParsesTheNamesItWrites) {
  for (ChecksumAlgorithm algorithm : {ChecksumAlgorithm::kXxh3_128, ChecksumAlgorithm::kSha256}) {
    auto parsed = ParseChecksumAlgorithm(ChecksumAlgorithmName(algorithm));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, algorithm);
  }
  EXPECT_FALSE(ParseChecksumAlgorithm("md5").ok());
  EXPECT_FALSE(ParseChecksumAlgorithm("").ok());
}

}  // namespace
}  // namespace spoolgate
