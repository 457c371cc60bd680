#include "services/spooler/authorizer.h"

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/base/read_file.h"
#include "lib/base/sha256.h"
#include "lib/grpc/tls.h"

namespace spoolgate::spooler {
namespace {

// Subject common name and subject alternative names of a verified client
// certificate; none over plain TCP or without a client certificate.
std::vector<std::string> CertificateIdentities(const grpc::ServerContextBase& context) {
  std::vector<std::string> out;
  auto auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return out;
  for (const char* property : {"x509_common_name", "x509_subject_alternative_name"}) {
    for (const auto& value : auth->FindPropertyValues(property)) {
      out.emplace_back(value.data(), value.size());
    }
  }
  return out;
}


}  // namespace

Authorizer::Authorizer(const std::vector<Credential>& credentials) {
  for (const auto& c : credentials) {
    Principal principal{c.role, c.name};
    if (!c.token_sha256.empty()) by_token_[c.token_sha256] = principal;
    if (!c.cert_identity.empty()) by_cert_[c.cert_identity] = principal;
  }
}

absl::StatusOr<Authorizer> Authorizer::FromFiles(const std::string& tokens_file,
                                                 const std::string& admin_token_file) {
  std::vector<Credential> credentials;
  if (!tokens_file.empty()) {
    auto text = ReadWholeFile(tokens_file);
    if (!text.ok()) return text.status();
    auto parsed = ParseCredentials(*text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(tokens_file, ": ", parsed.status().message()));
    }
    credentials = *std::move(parsed);
  }
  if (!admin_token_file.empty()) {
    auto token = ReadTokenFile(admin_token_file);
    if (!token.ok()) return token.status();
    credentials.push_back(Credential{Role::kAdmin, "admin-token", Sha256::Of(*token), ""});
  }
  return Authorizer(credentials);
}

absl::StatusOr<Principal> Authorizer::Identify(
    absl::string_view bearer_token, const std::vector<std::string>& cert_identities) const {
  if (open()) return Principal{};
  if (!bearer_token.empty()) {
    auto it = by_token_.find(Sha256::Of(bearer_token));
    if (it == by_token_.end()) return absl::UnauthenticatedError("unknown bearer token");
    return it->second;
  }
  for (const auto& identity : cert_identities) {
    if (auto it = by_cert_.find(identity); it != by_cert_.end()) return it->second;
  }
  if (!cert_identities.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("client certificate '", cert_identities.front(), "' has no role"));
  }
  return absl::UnauthenticatedError("a bearer token or a client certificate is required");
}

absl::StatusOr<Principal> Authorizer::Authorize(const grpc::ServerContextBase& context,
                                                absl::string_view rpc) const {
  if (open()) return Principal{};
  auto principal = Identify(BearerTokenOf(context), CertificateIdentities(context));
  if (!principal.ok()) {
    Log("refused %s from %s: %s", rpc, context.peer(), principal.status().message());
    return principal.status();
  }
  if (!RoleMayCall(principal->role, rpc)) {
    Log("refused %s from %s: credential '%s' (role %s) may not call it", rpc, context.peer(),
        principal->name, RoleName(principal->role));
    return absl::PermissionDeniedError(absl::StrCat("credential '", principal->name, "' (role ",
                                                    RoleName(principal->role), ") may not call ",
                                                    rpc));
  }
  return principal;
}

}  // namespace spoolgate::spooler
