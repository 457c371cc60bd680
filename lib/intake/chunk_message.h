// A document chunk as a Submit stream message, built around the bytes
// instead of copied into a protobuf message.
//
// Serializing a DocumentChunk copies its bytes once more into gRPC's
// slices, after the gateway already copied them from its socket buffer
// into the message. A chunk here is its few bytes of protobuf framing plus
// the data buffer itself, which gRPC takes over and frees once sent: the
// spooler reads the same bytes a serialized SubmitRequest would give.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <grpcpp/support/byte_buffer.h>

namespace spoolgate {

// The protobuf framing that precedes `data_bytes` bytes of chunk data in
// a serialized SubmitRequest { chunk { data } }. Pure.
std::string ChunkPrefix(size_t data_bytes);

// The message carrying the first `size` bytes of `data`; gRPC owns the
// buffer from here on (it frees it with delete[]).
grpc::ByteBuffer ChunkMessage(std::unique_ptr<char[]> data, size_t size);

}  // namespace spoolgate
