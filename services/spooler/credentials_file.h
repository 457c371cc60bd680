// The spooler's tokens file (--tokens_file): who may call it, in which role.
//
//   # role   name          credential
//   intake   lpd-gateway   sha256:<64 hex digits>
//   agent    printroom     cert:agent-1.office.example
//   admin    alice         sha256:<64 hex digits>
//
// A credential is either the SHA-256 of a bearer token (the "sha256:" prefix
// may be left out; `printf %s TOKEN | sha256sum` makes one), so the file holds
// no secret, or "cert:" and an identity that a client certificate signed by
// the client CA carries as its subject common name or as a subject
// alternative name. A name may have several credentials, all in one role.
// '#' starts a comment; blank lines are ignored.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/spooler/roles.h"

namespace spoolgate::spooler {

struct Credential {
  Role role = Role::kIntake;
  std::string name;             // shown in logs instead of the secret
  std::string token_sha256;     // lowercase hex; empty for a certificate
  std::string cert_identity;    // empty for a token
};

// Parses the file's text. Errors name the line.
absl::StatusOr<std::vector<Credential>> ParseCredentials(absl::string_view text);

}  // namespace spoolgate::spooler
