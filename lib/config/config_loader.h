// Reads a YAML config file into a config proto. YAML keys are the proto's
// field names (snake_case or lowerCamelCase); unknown keys are errors so a
// typo does not pass silently. Flags are applied on top by each main().
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace spoolgate {

// Parses `yaml_text` into `*message` (merged over what it holds).
absl::Status ParseYamlConfig(absl::string_view yaml_text,
                             google::protobuf::Message* message);

// Reads the file at `path` and parses it as above.
absl::Status LoadYamlConfigFile(const std::string& path,
                                google::protobuf::Message* message);

}  // namespace spoolgate
