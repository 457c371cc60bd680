#include "lib/text/display_json.h"

#include <memory>

#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "lib/text/wire_text.h"

namespace spoolgate::text {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::util::TypeResolver;

constexpr char kUrlPrefix[] = "type.googleapis.com";

// Describes every message type as the generated pool does, except that
// `bytes` fields are declared `string`, so the JSON printer shows them as
// text. Only used on messages whose bytes were made valid UTF-8 first.
class BytesAsTextResolver : public TypeResolver {
 public:
  BytesAsTextResolver()
      : pool_(google::protobuf::util::NewTypeResolverForDescriptorPool(
            kUrlPrefix, google::protobuf::DescriptorPool::generated_pool())) {}

  google::protobuf::util::Status ResolveMessageType(const std::string& type_url,
                                  google::protobuf::Type* type) override {
    auto status = pool_->ResolveMessageType(type_url, type);
    if (!status.ok()) return status;
    for (auto& field : *type->mutable_fields()) {
      if (field.kind() == google::protobuf::Field::TYPE_BYTES) {
        field.set_kind(google::protobuf::Field::TYPE_STRING);
      }
    }
    return status;
  }
  google::protobuf::util::Status ResolveEnumType(const std::string& type_url, google::protobuf::Enum* type) override {
    return pool_->ResolveEnumType(type_url, type);
  }

 private:
  std::unique_ptr<TypeResolver> pool_;
};

// Rewrites every bytes field of `message`, nested ones too, as DisplayUtf8.
void BytesToDisplayText(Message* message) {
  const Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_BYTES) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          reflection->SetRepeatedString(message, field, i,
                                        DisplayUtf8(reflection->GetRepeatedString(*message, field, i)));
        }
      } else {
        reflection->SetString(message, field, DisplayUtf8(reflection->GetString(*message, field)));
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          BytesToDisplayText(reflection->MutableRepeatedMessage(message, field, i));
        }
      } else {
        BytesToDisplayText(reflection->MutableMessage(message, field));
      }
    }
  }
}

TypeResolver* Resolver() {
  static TypeResolver* const resolver = new BytesAsTextResolver();
  return resolver;
}

std::string TypeUrl(const Message& message) {
  return std::string(kUrlPrefix) + "/" + message.GetDescriptor()->full_name();
}

}  // namespace

std::string DisplayJson(const Message& message, bool with_defaults) {
  std::unique_ptr<Message> shown(message.New());
  shown->CopyFrom(message);
  BytesToDisplayText(shown.get());
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = with_defaults;
  std::string json;
  auto status = google::protobuf::util::BinaryToJsonString(
      Resolver(), TypeUrl(message), shown->SerializeAsString(), &json, options);
  return status.ok() ? json : std::string("{}");
}

absl::Status ParseDisplayJson(const std::string& json, Message* message) {
  std::string binary;
  auto status = google::protobuf::util::JsonToBinaryString(Resolver(), TypeUrl(*message), json, &binary);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  if (!message->ParseFromString(binary)) return absl::InvalidArgumentError("not a valid message");
  return absl::OkStatus();
}

}  // namespace spoolgate::text
