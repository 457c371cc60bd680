// One configuration model for every service: each command-line flag is also
// a top-level key of the YAML file given with --config, and a flag given on
// the command line wins over the file. Settings that are not flat values
// (the spooler's queue definitions, the agent's printers, per-queue allow
// lists) are fields of a config proto, top-level keys of the same file.
//
// A key that names both a flag and a field of the proto (the spooler's
// `queues`) takes a list whose plain items go to the flag and whose mappings
// go to the proto: `queues: [office, {name: lab, description: Lab}]`.
//
// List flags take a YAML list (or a comma-separated string); their items
// cannot contain commas, as on the command line.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace spoolgate {

// Applies `yaml_text` to the program's flags (those not given on the command
// line, see lib/base/command_line.h) and merges the rest into `*structured`.
// Unknown keys and values a flag cannot parse are InvalidArgument errors.
absl::Status ApplyYamlConfig(absl::string_view yaml_text, google::protobuf::Message* structured);

// Puts every flag of this program that was not given on the command line
// back to its default (before a config file is applied again).
void ResetFlagsNotGiven();

// Reads the file at `path` and applies it as above.
absl::Status ApplyYamlConfigFile(const std::string& path, google::protobuf::Message* structured);

// The effective configuration as YAML, one `key: value  # type` line per flag
// that this program defines (Abseil's own --help & co. left out), every value
// written as JSON (which YAML reads as it is), then the set fields of
// `structured`. Feeding it back through ApplyYamlConfig gives the same
// configuration.
std::string EffectiveConfigYaml(const google::protobuf::Message& structured);

}  // namespace spoolgate
