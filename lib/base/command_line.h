// What absl's flag parser does not tell Debian's Abseil users: whether a
// flag was given at all (IsSpecifiedOnCommandLine is private there), and
// every value of a flag given several times (absl keeps the last).
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace spoolgate {

// Call in main() before absl::ParseCommandLine.
void RememberCommandLine(int argc, char** argv);
// True if --name, --name=..., -name or --noname was given.
bool FlagGiven(absl::string_view name);
// Values of every --name=VALUE, in order.
std::vector<std::string> FlagValues(absl::string_view name);

}  // namespace spoolgate
