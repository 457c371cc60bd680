// Data connection addresses: PORT/PASV (RFC 959 4.1.2, 4.1.3) and
// EPRT/EPSV (RFC 2428). Pure.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace spoolgate::ftp {

struct HostPort {
  std::string ip;  // textual IPv4 or IPv6
  int port = 0;
};

// "h1,h2,h3,h4,p1,p2"
absl::StatusOr<HostPort> ParsePortArgument(absl::string_view arg);
// "|1|132.235.1.2|6275|" or "|2|::1|6275|" (any delimiter in 33..126)
absl::StatusOr<HostPort> ParseEprtArgument(absl::string_view arg);
// "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)." text, IPv4 only.
absl::StatusOr<std::string> FormatPasvReply(const HostPort& where);
// "229 Entering Extended Passive Mode (|||port|)" text.
std::string FormatEpsvReply(int port);
// True if both are the same address (IPv4-mapped IPv6 equals IPv4).
bool SameAddress(absl::string_view a, absl::string_view b);

}  // namespace spoolgate::ftp
