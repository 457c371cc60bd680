// A document's checksum, computed as its bytes pass: "<algorithm>:<hex>".
//
// XXH3-128 (xxHash) is the default: it detects corrupted or changed bytes as
// well as a cryptographic digest does, at about 16 GB/s against SHA-256's
// 1.7 GB/s with SHA instructions. SHA-256 was the largest single cost of
// receiving a large job (0.3 s of the spooler's CPU for 512 MiB, measured),
// so it is kept for sites that want a cryptographic digest on record.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace spoolgate {

enum class ChecksumAlgorithm { kXxh3_128, kSha256 };

// "xxh3-128" or "sha256".
absl::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);
absl::StatusOr<ChecksumAlgorithm> ParseChecksumAlgorithm(absl::string_view name);

class Checksum {
 public:
  explicit Checksum(ChecksumAlgorithm algorithm);
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void Update(absl::string_view data);
  // "<algorithm>:<lowercase hex>" of every byte given since construction
  // or the last Finish(); the object restarts afterwards.
  std::string Finish();

  static std::string Of(ChecksumAlgorithm algorithm, absl::string_view data);

 private:
  struct State;
  const ChecksumAlgorithm algorithm_;
  std::unique_ptr<State> state_;
};

}  // namespace spoolgate
