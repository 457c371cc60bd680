#include "lib/intake/chunk_message.h"

#include <cstdint>

#include <grpcpp/support/slice.h>

namespace spoolgate {
namespace {

// SubmitRequest.chunk (field 3) and DocumentChunk.data (field 1), both
// length-delimited (wire type 2).
constexpr char kChunkTag = (3 << 3) | 2;
constexpr char kDataTag = (1 << 3) | 2;

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

size_t VarintSize(uint64_t value) {
  size_t n = 1;
  for (; value >= 0x80; value >>= 7) ++n;
  return n;
}

void FreeChunk(void* data) { delete[] static_cast<char*>(data); }

}  // namespace

std::string ChunkPrefix(size_t data_bytes) {
  std::string prefix;
  prefix.push_back(kChunkTag);
  AppendVarint(1 + VarintSize(data_bytes) + data_bytes, &prefix);
  prefix.push_back(kDataTag);
  AppendVarint(data_bytes, &prefix);
  return prefix;
}

grpc::ByteBuffer ChunkMessage(std::unique_ptr<char[]> data, size_t size) {
  std::string prefix = ChunkPrefix(size);
  grpc::Slice slices[2] = {grpc::Slice(prefix), grpc::Slice(data.release(), size, &FreeChunk)};
  return grpc::ByteBuffer(slices, 2);
}

}  // namespace spoolgate
