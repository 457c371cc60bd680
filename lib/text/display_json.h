// Protobuf messages as JSON for people and scripts: like protobuf's own JSON
// printer, except that `bytes` fields (names, users and titles as clients
// sent them) appear as text, decoded by DisplayUtf8, instead of base64.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace spoolgate::text {

// Field names as in the .proto file; fields at their default value are
// printed only when `with_defaults`.
std::string DisplayJson(const google::protobuf::Message& message, bool with_defaults = true);

// Reads DisplayJson's output back (bytes fields get the UTF-8 text).
absl::Status ParseDisplayJson(const std::string& json, google::protobuf::Message* message);

}  // namespace spoolgate::text
