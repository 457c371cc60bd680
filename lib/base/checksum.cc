#include "lib/base/checksum.h"

#include <xxhash.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/base/sha256.h"

namespace spoolgate {

struct Checksum::State {
  struct FreeXxh3 {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
  };
  std::unique_ptr<XXH3_state_t, FreeXxh3> xxh3;
  Sha256 sha256;
};

absl::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kXxh3_128:
      return "xxh3-128";
    case ChecksumAlgorithm::kSha256:
      return "sha256";
  }
  return "unknown";
}

absl::StatusOr<ChecksumAlgorithm> ParseChecksumAlgorithm(absl::string_view name) {
  for (ChecksumAlgorithm a : {ChecksumAlgorithm::kXxh3_128, ChecksumAlgorithm::kSha256}) {
    if (name == ChecksumAlgorithmName(a)) return a;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown checksum \"", name, "\" (use xxh3-128 or sha256)"));
}

Checksum::Checksum(ChecksumAlgorithm algorithm)
    : algorithm_(algorithm), state_(std::make_unique<State>()) {
  if (algorithm_ == ChecksumAlgorithm::kXxh3_128) {
    state_->xxh3.reset(XXH3_createState());
    XXH3_128bits_reset(state_->xxh3.get());
  }
}

Checksum::~Checksum() = default;

void Checksum::Update(absl::string_view data) {
  if (algorithm_ == ChecksumAlgorithm::kXxh3_128) {
    XXH3_128bits_update(state_->xxh3.get(), data.data(), data.size());
  } else {
    state_->sha256.Update(data);
  }
}

std::string Checksum::Finish() {
  std::string hex;
  if (algorithm_ == ChecksumAlgorithm::kXxh3_128) {
    XXH128_canonical_t canonical;  // big-endian, as xxhsum prints it
    XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state_->xxh3.get()));
    XXH3_128bits_reset(state_->xxh3.get());
    hex = absl::BytesToHexString(absl::string_view(
        reinterpret_cast<const char*>(canonical.digest), sizeof(canonical.digest)));
  } else {
    hex = state_->sha256.HexDigest();
  }
  return absl::StrCat(ChecksumAlgorithmName(algorithm_), ":", hex);
}

std::string Checksum::Of(ChecksumAlgorithm algorithm, absl::string_view data) {
  Checksum checksum(algorithm);
  checksum.Update(data);
  return checksum.Finish();
}

}  // namespace spoolgate
