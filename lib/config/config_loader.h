// Reads a YAML config file into a config proto. YAML keys are the proto's
// field names (snake_case or lowerCamelCase); unknown keys are errors so a
// typo does not pass silently. Flags are applied on top by each main().
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace YAML {
class Node;
}

namespace spoolgate {

// Parses `yaml_text` into `*message` (merged over what it holds).
absl::Status ParseYamlConfig(absl::string_view yaml_text,
                             google::protobuf::Message* message);

// Parses a mapping node into `*message` (merged over what it holds).
absl::Status ParseYamlNode(const YAML::Node& node, google::protobuf::Message* message);

// Writes `node` as JSON: quoted scalars as strings, plain scalars that read
// as numbers, booleans or null as such, everything else as strings.
absl::Status YamlToJson(const YAML::Node& node, std::string* out);

// `s` as a JSON string literal (bytes >= 0x80 are passed through).
std::string JsonQuote(absl::string_view s);

// Reads the file at `path` and parses it as above.
absl::Status LoadYamlConfigFile(const std::string& path,
                                google::protobuf::Message* message);

}  // namespace spoolgate
