// The two configuration flags every service has:
//   --config=FILE    YAML file; every flag is also a key (flag_config.h)
//   --print_config   print the effective configuration as YAML and exit
#pragma once

#include <optional>

#include <google/protobuf/message.h>

namespace spoolgate {

// Call in main() after RememberCommandLine and absl::ParseCommandLine.
// Applies --config to the flags and to `*structured`. Returns an exit code
// when the program should stop now (2 after a config error, 0 after
// --print_config), nullopt when it should go on and serve.
std::optional<int> LoadServiceConfig(google::protobuf::Message* structured);

}  // namespace spoolgate
