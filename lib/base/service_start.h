// The start that every Spoolgate daemon shares, before it reads its own
// flags and configuration.
#pragma once

#include "absl/strings/string_view.h"

namespace spoolgate {

// Call first thing in main(), before any thread starts. In this order:
// tunes malloc for job-sized buffers (ConfigureMalloc), blocks the
// termination signals that main() later waits for, tags log lines with
// `program`, sets what --version and --help print (`usage` first), turns
// on absl's mutex checks, and parses the command line (remembering it for
// FlagGiven/FlagValues). Exits as absl's parser does on --help or a bad flag.
void StartService(int argc, char** argv, absl::string_view program, absl::string_view usage);

}  // namespace spoolgate
