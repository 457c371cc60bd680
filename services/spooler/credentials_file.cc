#include "services/spooler/credentials_file.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace spoolgate::spooler {
namespace {

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != '@') {
      return false;
    }
  }
  return true;
}

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Certificate identities are host or user names: printable, no spaces.
bool ValidIdentity(absl::string_view identity) {
  if (identity.empty() || identity.size() > 255) return false;
  for (char c : identity) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<Credential>> ParseCredentials(absl::string_view text) {
  std::vector<Credential> out;
  std::map<std::string, Role, std::less<>> role_of_name;
  std::set<std::string, std::less<>> seen;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (auto hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_number, ": ", what));
    };
    if (fields.size() != 3) return error("expected: role name credential");
    Credential credential;
    auto role = ParseRole(fields[0]);
    if (!role) return error(absl::StrCat("unknown role '", fields[0], "' (intake, agent or admin)"));
    credential.role = *role;
    if (!ValidName(fields[1])) return error("a name is 1-64 of [A-Za-z0-9_.@-]");
    credential.name = std::string(fields[1]);
    absl::string_view value = fields[2];
    if (absl::ConsumePrefix(&value, "cert:")) {
      if (!ValidIdentity(value)) return error("bad certificate identity");
      credential.cert_identity = std::string(value);
    } else {
      absl::ConsumePrefix(&value, "sha256:");
      if (!IsSha256Hex(value)) {
        return error("a token credential is its SHA-256 in hex (sha256:...), never the token");
      }
      credential.token_sha256 = absl::AsciiStrToLower(value);
    }
    auto [it, inserted] = role_of_name.emplace(credential.name, credential.role);
    if (!inserted && it->second != credential.role) {
      return error(absl::StrCat("'", credential.name, "' already has role ", RoleName(it->second)));
    }
    std::string key = credential.token_sha256.empty() ? "cert:" + credential.cert_identity
                                                      : credential.token_sha256;
    if (!seen.insert(key).second) return error("this credential is listed twice");
    out.push_back(std::move(credential));
  }
  return out;
}

}  // namespace spoolgate::spooler
