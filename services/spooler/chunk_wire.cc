#include "services/spooler/chunk_wire.h"

#include <cstdint>

namespace spoolgate::spooler {
namespace {

// SubmitRequest.chunk (field 3) and DocumentChunk.data (field 1), both
// length-delimited (wire type 2).
constexpr uint8_t kChunkTag = (3 << 3) | 2;
constexpr uint8_t kDataTag = (1 << 3) | 2;

// Reads bytes across the pieces of a message. Not with CodedInputStream's
// readers: they take multi-byte tags and lengths of up to ten bytes, which
// protobuf's message parser refuses (the fuzz target found such a case),
// and whatever that parser refuses must be left to it here.
class Cursor {
 public:
  explicit Cursor(absl::Span<const absl::string_view> pieces)
      : pieces_(pieces), left_(TotalSize(pieces)) {}
  uint64_t left() const { return left_; }

  std::optional<uint8_t> Byte() {
    if (left_ == 0) return std::nullopt;
    Skip();
    uint8_t b = static_cast<uint8_t>(pieces_[piece_][offset_]);
    ++offset_;
    --left_;
    return b;
  }

  // A length: a varint of at most 5 bytes that fits in 32 bits.
  std::optional<uint64_t> Length() {
    uint64_t value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      std::optional<uint8_t> b = Byte();
      if (!b) return std::nullopt;
      value |= static_cast<uint64_t>(*b & 0x7f) << shift;
      if ((*b & 0x80) == 0) return value <= UINT32_MAX ? std::optional<uint64_t>(value) : std::nullopt;
    }
    return std::nullopt;
  }

  // Views of the rest of the message.
  std::vector<absl::string_view> Rest() {
    std::vector<absl::string_view> rest;
    for (; piece_ < pieces_.size(); ++piece_, offset_ = 0) {
      absl::string_view p = pieces_[piece_].substr(offset_);
      if (!p.empty()) rest.push_back(p);
    }
    left_ = 0;
    return rest;
  }

 private:
  // Moves past exhausted (and empty) pieces; left_ > 0 ensures one remains.
  void Skip() {
    while (offset_ == pieces_[piece_].size()) {
      ++piece_;
      offset_ = 0;
    }
  }

  absl::Span<const absl::string_view> pieces_;
  size_t piece_ = 0;
  size_t offset_ = 0;
  uint64_t left_ = 0;
};

}  // namespace

size_t TotalSize(absl::Span<const absl::string_view> pieces) {
  size_t n = 0;
  for (absl::string_view piece : pieces) n += piece.size();
  return n;
}

std::optional<std::vector<absl::string_view>> ChunkDataOf(
    absl::Span<const absl::string_view> message) {
  Cursor in(message);
  if (in.Byte() != kChunkTag) return std::nullopt;
  std::optional<uint64_t> chunk_size = in.Length();
  // The chunk must be the whole message: anything after it is another
  // field, which only a full parse may judge.
  if (!chunk_size || *chunk_size != in.left()) return std::nullopt;
  if (*chunk_size == 0) return std::vector<absl::string_view>();  // no data
  if (in.Byte() != kDataTag) return std::nullopt;
  std::optional<uint64_t> data_size = in.Length();
  if (!data_size || *data_size != in.left()) return std::nullopt;
  return in.Rest();
}

}  // namespace spoolgate::spooler
