// Reads structured choices out of a fuzzer's bytes, so a target can build a
// sequence of protocol steps (commands, counts, names) instead of hoping
// random bytes form one. Every read is total: once the bytes run out, reads
// return zeros and empty strings, and done() turns true.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace spoolgate::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool done() const { return pos_ >= size_; }

  uint8_t Byte() { return done() ? 0 : data_[pos_++]; }
  bool Bool() { return Byte() & 1; }
  // A value in [low, high], from as many bytes as the range needs.
  uint64_t Range(uint64_t low, uint64_t high) {
    uint64_t span = high - low, value = 0;
    for (uint64_t seen = 0; seen < span && !done(); seen = (seen << 8) | 0xff) {
      value = (value << 8) | Byte();
    }
    return span == UINT64_MAX ? low + value : low + value % (span + 1);
  }
  template <typename T>
  const T& Pick(const std::vector<T>& choices) {
    return choices[Range(0, choices.size() - 1)];
  }
  // Up to `max` raw bytes, length first.
  std::string Bytes(size_t max) {
    size_t n = Range(0, max);
    n = std::min(n, size_ - std::min(pos_, size_));
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace spoolgate::fuzz
