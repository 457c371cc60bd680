// Who is calling, and may they: every RPC handler asks the Authorizer first.
//
// With no credential configured (no tokens file, no Admin token) every
// caller is an admin, as on a spooler that listens on loopback only or that
// trusts any certificate signed by its client CA. Once credentials exist,
// each call must present a bearer token whose SHA-256 is listed, or a client
// certificate whose identity is listed; the listed role decides what it may
// call. Refusals are logged with the credential's name, never the secret.
//
// Thread-safe: immutable after construction.
#pragma once

#include <string>
#include <vector>

#include <grpcpp/server_context.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/spooler/credentials_file.h"
#include "services/spooler/roles.h"

namespace spoolgate::spooler {

struct Principal {
  Role role = Role::kAdmin;
  std::string name;  // empty when no credentials are configured
};

class Authorizer {
 public:
  Authorizer() = default;  // open: every caller is an admin
  explicit Authorizer(const std::vector<Credential>& credentials);

  // Reads `tokens_file` (see credentials_file.h) and the older single Admin
  // token file (the token itself on disk, named "admin-token"); either may be
  // empty.
  static absl::StatusOr<Authorizer> FromFiles(const std::string& tokens_file,
                                              const std::string& admin_token_file);

  bool open() const { return by_token_.empty() && by_cert_.empty(); }

  // The caller's principal when it may call `rpc` ("Admin.ListJobs"):
  // UNAUTHENTICATED without a known credential, PERMISSION_DENIED outside its
  // role. Both are logged with the peer's address.
  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& context,
                                      absl::string_view rpc) const;

  // The principal of a presented bearer token (empty = none) or, failing
  // that, of the first listed certificate identity; UNAUTHENTICATED if none.
  absl::StatusOr<Principal> Identify(absl::string_view bearer_token,
                                     const std::vector<std::string>& cert_identities) const;

 private:
  absl::flat_hash_map<std::string, Principal> by_token_;  // key: token SHA-256, hex
  absl::flat_hash_map<std::string, Principal> by_cert_;   // key: certificate identity
};

}  // namespace spoolgate::spooler
