// The YAML config loader (flags and structured settings) fed documents
// built from the fuzzer's bytes: keys that are this program's flags, fields
// of the spooler's, agent's and LPD gateway's config protos, and strangers;
// values that are scalars of every type, lists, nested mappings, anchors,
// aliases, tags and raw bytes, nested a few levels in block or flow style.
// Checks: no crash and no exception escapes, and a document that loaded once
// loads the same way again (flags reset in between).
#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/flags/flag.h"
#include "lib/config/config_loader.h"
#include "lib/config/flag_config.h"
#include "spoolgate/v1/config.pb.h"
#include "tests/fuzz/fuzz_input.h"

// Flags of each kind a service has, so the loader has something to apply.
ABSL_FLAG(std::string, listen, "0.0.0.0:7600", "fuzz: a string flag");
ABSL_FLAG(uint32_t, max_attempts, 5, "fuzz: an unsigned flag");
ABSL_FLAG(int64_t, offset, 0, "fuzz: a signed flag");
ABSL_FLAG(double, ratio, 0.5, "fuzz: a floating flag");
ABSL_FLAG(bool, banners, false, "fuzz: a bool flag");
ABSL_FLAG(std::vector<std::string>, queues, {}, "fuzz: a list flag");

namespace {
using spoolgate::fuzz::FuzzInput;

const std::vector<std::string> kKeys = {
    "listen", "max_attempts", "offset", "ratio", "banners", "queues", "printers", "queue_allow",
    "name", "queue", "uri", "description", "accepting", "enabled", "error_policy", "quota_bytes",
    "maxAttempts", "cidrs", "unknown_key", "", "<<", "? complex"};
const std::vector<std::string> kScalars = {
    "office", "0", "-1", "4294967296", "1e309", "0x10", "true", "no", "~", "null", "\"\"",
    "'quoted: text'", "\"esc\\u00e9\\x00\"", "[]", "{}", "&a office", "*a", "!!str 5",
    "!!binary aGk=", "|\n  block", ">-\n  folded", "\"a,b\"", "127.0.0.1/8", "usb:?serial=X",
    "ERROR_POLICY_ABORT_JOB", "3.5", ".inf", "2001-12-14"};

std::string Value(FuzzInput& in, int depth, const std::string& indent);

std::string Mapping(FuzzInput& in, int depth, const std::string& indent, bool flow) {
  int entries = static_cast<int>(in.Range(0, 4));
  std::string out = flow ? "{" : "";
  for (int i = 0; i < entries; ++i) {
    std::string key = in.Range(0, 9) == 0 ? in.Bytes(8) : in.Pick(kKeys);
    if (flow) {
      out += (i ? ", " : "") + key + ": " + Value(in, depth + 1, indent);
    } else {
      out += indent + key + ":" + Value(in, depth + 1, indent + "  ") + "\n";
    }
  }
  return flow ? out + "}" : out;
}

std::string Value(FuzzInput& in, int depth, const std::string& indent) {
  if (depth > 4) return " " + in.Pick(kScalars);
  switch (in.Range(0, 7)) {
    case 0:
      return " " + in.Bytes(16);
    case 1: {  // block list
      std::string out = "\n";
      int items = static_cast<int>(in.Range(0, 3));
      for (int i = 0; i < items; ++i) out += indent + "-" + Value(in, depth + 1, indent + "  ") + "\n";
      return out;
    }
    case 2: {  // flow list
      std::string out = " [";
      int items = static_cast<int>(in.Range(0, 3));
      for (int i = 0; i < items; ++i) out += (i ? "," : "") + Value(in, depth + 1, indent);
      return out + "]";
    }
    case 3:
      return "\n" + Mapping(in, depth + 1, indent, /*flow=*/false);
    case 4:
      return " " + Mapping(in, depth + 1, indent, /*flow=*/true);
    default:
      return " " + in.Pick(kScalars);
  }
}

struct Outcome {
  std::string error;
  std::string structured;
  std::string listen;
  std::vector<std::string> queues;
  bool operator==(const Outcome& o) const {
    return error == o.error && structured == o.structured && listen == o.listen &&
           queues == o.queues;
  }
};

template <typename Config>
Outcome Load(const std::string& text) {
  spoolgate::ResetFlagsNotGiven();
  Config config;
  Outcome out;
  auto status = spoolgate::ApplyYamlConfig(text, &config);
  out.error = status.ToString();
  {
    google::protobuf::io::StringOutputStream stream(&out.structured);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);  // map fields in a fixed order
    config.SerializeToCodedStream(&coded);
  }
  out.listen = absl::GetFlag(FLAGS_listen);
  out.queues = absl::GetFlag(FLAGS_queues);
  Config plain;
  (void)spoolgate::ParseYamlConfig(text, &plain);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  int which = static_cast<int>(in.Range(0, 2));
  std::string text = in.Bool() ? "---\n" : "";
  text += Mapping(in, 0, "", /*flow=*/in.Range(0, 5) == 0);
  if (in.Bool()) text += in.Bytes(32);
  Outcome first, second;
  switch (which) {
    case 0:
      first = Load<spoolgate::v1::SpoolerConfig>(text);
      second = Load<spoolgate::v1::SpoolerConfig>(text);
      break;
    case 1:
      first = Load<spoolgate::v1::AgentConfig>(text);
      second = Load<spoolgate::v1::AgentConfig>(text);
      break;
    default:
      first = Load<spoolgate::v1::LpdGatewayConfig>(text);
      second = Load<spoolgate::v1::LpdGatewayConfig>(text);
  }
  if (!(first == second)) __builtin_trap();
  return 0;
}
