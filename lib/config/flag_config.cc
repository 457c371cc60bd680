#include "lib/config/flag_config.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/read_file.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/base/command_line.h"
#include "lib/config/config_loader.h"

namespace spoolgate {
namespace {

// Flags that only make sense on the command line.
bool CommandLineOnly(absl::string_view name) {
  return name == "config" || name == "print_config";
}

// A flag of this program, as opposed to Abseil's own (--help, --flagfile...).
absl::CommandLineFlag* ProgramFlag(absl::string_view name) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  if (flag == nullptr || flag->IsRetired()) return nullptr;
  if (absl::StrContains(flag->Filename(), "absl/")) return nullptr;
  return flag;
}

const google::protobuf::FieldDescriptor* StructuredField(const google::protobuf::Message& message,
                                                         const std::string& key) {
  const auto* descriptor = message.GetDescriptor();
  if (const auto* field = descriptor->FindFieldByName(key)) return field;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (descriptor->field(i)->json_name() == key) return descriptor->field(i);
  }
  return nullptr;
}

absl::Status SetFlag(absl::CommandLineFlag* flag, const std::string& key, const std::string& text) {
  if (FlagGiven(flag->Name())) return absl::OkStatus();  // the command line wins
  std::string error;
  if (!flag->ParseFrom(text, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", key, ": ", error));
  }
  return absl::OkStatus();
}

// One top-level entry. Plain values go to `flag` (if any); mappings are kept
// in `*rest` for the structured message.
absl::Status ApplyEntry(const std::string& key, const YAML::Node& value, absl::CommandLineFlag* flag,
                        bool structured_has_key, YAML::Node* rest) {
  if (value.IsNull()) {
    return flag ? SetFlag(flag, key, "") : absl::OkStatus();
  }
  if (value.IsScalar()) {
    if (flag) return SetFlag(flag, key, value.Scalar());
    (*rest)[key] = value;
    return absl::OkStatus();
  }
  if (value.IsMap()) {
    if (!structured_has_key) {
      return absl::InvalidArgumentError(absl::StrCat("config: ", key, ": expected a plain value"));
    }
    (*rest)[key] = value;
    return absl::OkStatus();
  }
  std::vector<std::string> plain;
  YAML::Node mappings(YAML::NodeType::Sequence);
  for (const auto& item : value) {
    if (item.IsScalar()) {
      plain.push_back(item.Scalar());
    } else if (item.IsMap() || item.IsSequence()) {
      mappings.push_back(item);
    }
  }
  if (flag && !flag->IsOfType<std::vector<std::string>>() && !plain.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", key, ": expected one value, not a list"));
  }
  if (!flag || !structured_has_key) {
    // Everything goes one way: to the flag, or to the structured message.
    if (flag) {
      if (mappings.size() > 0) {
        return absl::InvalidArgumentError(absl::StrCat("config: ", key, ": expected plain values"));
      }
      return SetFlag(flag, key, absl::StrJoin(plain, ","));
    }
    (*rest)[key] = value;
    return absl::OkStatus();
  }
  if (!plain.empty()) {
    if (auto s = SetFlag(flag, key, absl::StrJoin(plain, ",")); !s.ok()) return s;
  }
  if (mappings.size() > 0) (*rest)[key] = mappings;
  return absl::OkStatus();
}

std::string FlagType(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<std::string>()) return "string";
  if (flag.IsOfType<bool>()) return "bool";
  if (flag.IsOfType<int32_t>()) return "int32";
  if (flag.IsOfType<uint32_t>()) return "uint32";
  if (flag.IsOfType<int64_t>()) return "int64";
  if (flag.IsOfType<uint64_t>()) return "uint64";
  if (flag.IsOfType<double>()) return "double";
  if (flag.IsOfType<std::vector<std::string>>()) return "list";
  return "other";
}

// The flag's current value as JSON; list items first in `*items`.
std::vector<std::string> ListItems(const absl::CommandLineFlag& flag) {
  std::vector<std::string> items;
  std::string value = flag.CurrentValue();
  if (value.empty()) return items;
  for (absl::string_view item : absl::StrSplit(value, ',')) items.push_back(JsonQuote(item));
  return items;
}

std::string FlagJson(const absl::CommandLineFlag& flag, const std::string& type) {
  if (type == "list") return absl::StrCat("[", absl::StrJoin(ListItems(flag), ", "), "]");
  if (type == "string" || type == "other") return JsonQuote(flag.CurrentValue());
  return flag.CurrentValue();
}

}  // namespace

absl::Status ApplyYamlConfig(absl::string_view yaml_text, google::protobuf::Message* structured) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", e.what()));
  }
  if (root.IsNull()) return absl::OkStatus();  // an empty file
  if (!root.IsMap()) return absl::InvalidArgumentError("config: top level must be a mapping");
  YAML::Node rest(YAML::NodeType::Map);
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) return absl::InvalidArgumentError("config: keys must be plain names");
    const std::string key = entry.first.Scalar();
    if (CommandLineOnly(key)) {
      return absl::InvalidArgumentError(absl::StrCat("config: ", key, " is a command-line flag only"));
    }
    absl::CommandLineFlag* flag = ProgramFlag(key);
    bool structured_has_key = StructuredField(*structured, key) != nullptr;
    if (!flag && !structured_has_key) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: unknown key '", key, "' (not a flag or setting of this program)"));
    }
    if (auto s = ApplyEntry(key, entry.second, flag, structured_has_key, &rest); !s.ok()) return s;
  }
  return ParseYamlNode(rest, structured);
}

void ResetFlagsNotGiven() {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (CommandLineOnly(name) || ProgramFlag(name) != flag || FlagGiven(name)) continue;
    std::string error;
    flag->ParseFrom(flag->DefaultValue(), &error);
  }
}

absl::Status ApplyYamlConfigFile(const std::string& path, google::protobuf::Message* structured) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return absl::NotFoundError(absl::StrCat("config: cannot open ", path));
  auto status = ApplyYamlConfig(*text, structured);
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  return absl::OkStatus();
}

std::string EffectiveConfigYaml(const google::protobuf::Message& structured) {
  // The structured part through protobuf's JSON printer, taken apart by key.
  std::string json;
  google::protobuf::util::JsonPrintOptions print_options;
  print_options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(structured, &json, print_options);
  YAML::Node fields = YAML::Load(json);
  auto field_json = [&](const std::string& key) {
    std::string out;
    if (fields.IsMap() && fields[key]) (void)YamlToJson(fields[key], &out);
    return out;
  };

  std::vector<std::pair<std::string, absl::CommandLineFlag*>> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!CommandLineOnly(name) && ProgramFlag(name) == flag) flags.emplace_back(name, flag);
  }
  std::sort(flags.begin(), flags.end());
  std::string out;
  std::vector<std::string> done;
  for (const auto& [name, flag] : flags) {
    std::string type = FlagType(*flag);
    std::string value = FlagJson(*flag, type);
    std::string extra = field_json(name);
    if (type == "list" && extra.size() > 2) {  // merge `[a, b]` with `[{...}, {...}]`
      std::vector<std::string> items = ListItems(*flag);
      items.push_back(extra.substr(1, extra.size() - 2));
      value = absl::StrCat("[", absl::StrJoin(items, ", "), "]");
      done.push_back(name);
    }
    absl::StrAppend(&out, name, ": ", value, "  # ", type, "\n");
  }
  if (fields.IsMap()) {
    for (const auto& entry : fields) {
      std::string key = entry.first.Scalar();
      if (std::find(done.begin(), done.end(), key) != done.end()) continue;
      absl::StrAppend(&out, key, ": ", field_json(key), "  # setting\n");
    }
  }
  return out;
}

}  // namespace spoolgate
