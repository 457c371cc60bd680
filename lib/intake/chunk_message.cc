#include "lib/intake/chunk_message.h"

#include <cstdint>

#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/support/slice.h>

#include "spoolgate/v1/intake.pb.h"

namespace spoolgate {
namespace {

using google::protobuf::io::CodedOutputStream;

// SubmitRequest.chunk and DocumentChunk.data, both length-delimited
// (wire type 2).
constexpr uint32_t kChunkTag = (v1::SubmitRequest::kChunkFieldNumber << 3) | 2;
constexpr uint32_t kDataTag = (v1::DocumentChunk::kDataFieldNumber << 3) | 2;

void FreeChunk(void* data) { delete[] static_cast<char*>(data); }

}  // namespace

std::string ChunkPrefix(size_t data_bytes) {
  // A chunk holds at most a few MiB, so every length fits a varint32.
  const auto data = static_cast<uint32_t>(data_bytes);
  const uint32_t chunk = CodedOutputStream::VarintSize32(kDataTag) +
                         CodedOutputStream::VarintSize32(data) + data;
  uint8_t prefix[4 * 5];  // two tags and two lengths of at most 5 bytes each
  uint8_t* end = CodedOutputStream::WriteTagToArray(kChunkTag, prefix);
  end = CodedOutputStream::WriteVarint32ToArray(chunk, end);
  end = CodedOutputStream::WriteTagToArray(kDataTag, end);
  end = CodedOutputStream::WriteVarint32ToArray(data, end);
  return std::string(reinterpret_cast<const char*>(prefix), static_cast<size_t>(end - prefix));
}

grpc::ByteBuffer ChunkMessage(std::unique_ptr<char[]> data, size_t size) {
  std::string prefix = ChunkPrefix(size);
  grpc::Slice slices[2] = {grpc::Slice(prefix), grpc::Slice(data.release(), size, &FreeChunk)};
  return grpc::ByteBuffer(slices, 2);
}

}  // namespace spoolgate
