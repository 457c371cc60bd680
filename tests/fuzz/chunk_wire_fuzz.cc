// ChunkDataOf must agree with protobuf: whatever it reads as a chunk,
// protobuf parses as that same chunk. The first byte sets where the rest
// is cut into pieces, as gRPC's slices may cut a message.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "services/spooler/chunk_wire.h"
#include "spoolgate/v1/intake.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = data[0] % 16 + 1;
  absl::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<absl::string_view> pieces;
  for (size_t at = 0; at < wire.size(); at += step) pieces.push_back(wire.substr(at, step));
  auto chunk = spoolgate::spooler::ChunkDataOf(pieces);
  if (!chunk) return 0;
  spoolgate::v1::SubmitRequest parsed;
  if (!parsed.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) __builtin_trap();
  if (!parsed.has_chunk()) __builtin_trap();
  if (parsed.chunk().data() != absl::StrJoin(*chunk, "")) __builtin_trap();
  for (absl::string_view piece : *chunk) {
    if (piece.empty() || piece.data() < wire.data() || piece.end() > wire.end()) __builtin_trap();
  }
  return 0;
}
