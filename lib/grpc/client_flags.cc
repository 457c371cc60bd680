#include "lib/grpc/client_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tls_ca, "", "PEM CA that signed the spooler's certificate: use TLS");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate, when the spooler requires one");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");

namespace spoolgate {

TlsFiles ClientTlsFromFlags() {
  return TlsFiles{absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
                  absl::GetFlag(FLAGS_tls_key)};
}

}  // namespace spoolgate
