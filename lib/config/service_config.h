// The two configuration flags every service has:
//   --config=FILE    YAML file; every flag is also a key (flag_config.h)
//   --print_config   print the effective configuration as YAML and exit
#pragma once

#include <optional>

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace spoolgate {

// Call in main() after RememberCommandLine and absl::ParseCommandLine.
// Applies --config to the flags and to `*structured`. Returns an exit code
// when the program should stop now (2 after a config error, 0 after
// --print_config), nullopt when it should go on and serve.
std::optional<int> LoadServiceConfig(google::protobuf::Message* structured);

// Reads --config again (SIGHUP): every flag not given on the command line
// goes back to its default and then takes the file's value, and the file's
// structured settings are parsed into `*structured`. OK without --config.
absl::Status ReloadServiceConfig(google::protobuf::Message* structured);

}  // namespace spoolgate
