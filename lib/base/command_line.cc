#include "lib/base/command_line.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace spoolgate {
namespace {
std::vector<std::string>& Args() {
  static auto* args = new std::vector<std::string>();
  return *args;
}
// "--x=1" -> "x=1"; anything that is not a flag -> "".
absl::string_view Body(absl::string_view arg) {
  if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) return "";
  return arg;
}
}  // namespace

void RememberCommandLine(int argc, char** argv) { Args().assign(argv + 1, argv + argc); }

bool FlagGiven(absl::string_view name) {
  for (const auto& arg : Args()) {
    if (arg == "--") break;
    absl::string_view body = Body(arg);
    if (body == name || absl::StartsWith(body, absl::StrCat(name, "=")) ||
        body == absl::StrCat("no", name)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> FlagValues(absl::string_view name) {
  std::vector<std::string> values;
  for (const auto& arg : Args()) {
    if (arg == "--") break;
    absl::string_view body = Body(arg);
    if (absl::ConsumePrefix(&body, name) && absl::ConsumePrefix(&body, "=")) values.emplace_back(body);
  }
  return values;
}

}  // namespace spoolgate
