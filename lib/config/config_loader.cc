// YAML -> JSON -> proto: protobuf's JSON parser already knows how to map
// every field type, so we only translate the document tree.
#include "lib/config/config_loader.h"


#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "lib/base/read_file.h"

namespace spoolgate {

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

// Plain scalars that YAML reads as numbers or booleans go out unquoted;
// protobuf's JSON parser also accepts quoted numbers, so a wrong guess for
// a string field that looks numeric (e.g. description: 123) still parses.
std::string ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return JsonQuote(text);  // explicitly quoted
  if (text == "true" || text == "false") return text;
  if (text == "null" || text == "~") return "null";
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size()) return text;
  return JsonQuote(text);
}

absl::Status ToJson(const YAML::Node& node, std::string* out) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      *out += "null";
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      *out += ScalarToJson(node);
      return absl::OkStatus();
    case YAML::NodeType::Sequence: {
      *out += "[";
      bool first = true;
      for (const auto& item : node) {
        if (!first) *out += ",";
        first = false;
        if (auto s = ToJson(item, out); !s.ok()) return s;
      }
      *out += "]";
      return absl::OkStatus();
    }
    case YAML::NodeType::Map: {
      *out += "{";
      bool first = true;
      for (const auto& item : node) {
        if (!item.first.IsScalar()) {
          return absl::InvalidArgumentError("config: map keys must be scalars");
        }
        if (!first) *out += ",";
        first = false;
        *out += JsonQuote(item.first.Scalar()) + ":";
        if (auto s = ToJson(item.second, out); !s.ok()) return s;
      }
      *out += "}";
      return absl::OkStatus();
    }
  }
  return absl::InternalError("config: unknown YAML node type");
}

}  // namespace

absl::Status YamlToJson(const YAML::Node& node, std::string* out) { return ToJson(node, out); }

absl::Status ParseYamlNode(const YAML::Node& root, google::protobuf::Message* message) {
  if (root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) {
    return absl::InvalidArgumentError("config: top level must be a mapping");
  }
  std::string json;
  if (auto s = ToJson(root, &json); !s.ok()) return s;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", status.message().as_string()));
  }
  return absl::OkStatus();
}

absl::Status ParseYamlConfig(absl::string_view yaml_text,
                             google::protobuf::Message* message) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", e.what()));
  }
  return ParseYamlNode(root, message);
}

absl::Status LoadYamlConfigFile(const std::string& path,
                                google::protobuf::Message* message) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return absl::NotFoundError(absl::StrCat("config: cannot open ", path));
  auto status = ParseYamlConfig(*text, message);
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  return absl::OkStatus();
}

}  // namespace spoolgate
