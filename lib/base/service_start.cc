#include "lib/base/service_start.h"

#include <string>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "lib/base/command_line.h"
#include "lib/base/logging.h"
#include "lib/base/memory.h"
#include "lib/base/mutex_checks.h"
#include "lib/base/signals.h"

namespace spoolgate {

void StartService(int argc, char** argv, absl::string_view program, absl::string_view usage) {
  ConfigureMalloc();
  BlockTerminationSignals();
  SetLogComponent(program);
  absl::FlagsUsageConfig config;
  config.version_string = [version = absl::StrCat(program, " " SPOOLGATE_VERSION "\n")] {
    return version;
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(usage);
  ConfigureMutexChecks();
  RememberCommandLine(argc, argv);
  absl::ParseCommandLine(argc, argv);
}

}  // namespace spoolgate
