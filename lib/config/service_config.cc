#include "lib/config/service_config.h"

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "lib/base/logging.h"
#include "lib/config/flag_config.h"

ABSL_FLAG(std::string, config, "",
          "YAML config file: every flag is also a key there; a flag on the command line wins");
ABSL_FLAG(bool, print_config, false,
          "print the effective configuration (the file and the flags merged) as YAML and exit");

namespace spoolgate {

absl::Status ReloadServiceConfig(google::protobuf::Message* structured) {
  std::string path = absl::GetFlag(FLAGS_config);
  if (path.empty()) return absl::OkStatus();
  ResetFlagsNotGiven();
  return ApplyYamlConfigFile(path, structured);
}

std::optional<int> LoadServiceConfig(google::protobuf::Message* structured) {
  if (std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    if (auto s = ApplyYamlConfigFile(path, structured); !s.ok()) {
      Log("%s", s.ToString());
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_print_config)) {
    std::fputs(EffectiveConfigYaml(*structured).c_str(), stdout);
    return 0;
  }
  return std::nullopt;
}

}  // namespace spoolgate
