// Incremental SHA-256 (OpenSSL EVP), for document checksums.
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace spoolgate {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view data);
  // Lowercase hex digest; the object restarts afterwards.
  std::string HexDigest();

  static std::string Of(absl::string_view data);

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

}  // namespace spoolgate
