// A document chunk read straight from a serialized SubmitRequest.
//
// Parsing a chunk into a message copies its bytes into a string, only for
// the spooler to copy them again into memory or a spool file's buffer. On
// a big job that first copy was a tenth of the spooler's CPU. So the
// Submit stream takes gRPC's slices as they came off the wire, and a chunk
// is read here, in place; every other message is parsed as usual. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace spoolgate::spooler {

// `message` is a serialized SubmitRequest in pieces. If it is a chunk
// encoded as protobuf encodes one (field 3, holding only its field 1, the
// data), returns the data's pieces: views into `message`, in order, none
// empty. Otherwise (another message, other fields, malformed) nullopt:
// the caller parses the message, which gives the same result protobuf
// would, errors included.
std::optional<std::vector<absl::string_view>> ChunkDataOf(
    absl::Span<const absl::string_view> message);

// The bytes in `pieces`, all together.
size_t TotalSize(absl::Span<const absl::string_view> pieces);

}  // namespace spoolgate::spooler
