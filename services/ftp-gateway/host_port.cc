#include "services/ftp-gateway/host_port.h"

#include <arpa/inet.h>

#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace spoolgate::ftp {
namespace {

bool ToV6(absl::string_view text, unsigned char out[16]) {
  std::string s(text);
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
    std::memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    std::memcpy(out + 12, v4, 4);
    return true;
  }
  return inet_pton(AF_INET6, s.c_str(), out) == 1;
}

}  // namespace

bool SameAddress(absl::string_view a, absl::string_view b) {
  unsigned char x[16], y[16];
  return ToV6(a, x) && ToV6(b, y) && std::memcmp(x, y, 16) == 0;
}

absl::StatusOr<HostPort> ParsePortArgument(absl::string_view arg) {
  std::vector<std::string> parts = absl::StrSplit(absl::StripAsciiWhitespace(arg), ',');
  if (parts.size() != 6) return absl::InvalidArgumentError("PORT needs h1,h2,h3,h4,p1,p2");
  int n[6];
  for (int i = 0; i < 6; ++i) {
    if (!absl::SimpleAtoi(parts[i], &n[i]) || n[i] < 0 || n[i] > 255) {
      return absl::InvalidArgumentError("PORT numbers are 0..255");
    }
  }
  HostPort hp{absl::StrFormat("%d.%d.%d.%d", n[0], n[1], n[2], n[3]), n[4] * 256 + n[5]};
  if (hp.port == 0) return absl::InvalidArgumentError("port 0");
  return hp;
}

absl::StatusOr<HostPort> ParseEprtArgument(absl::string_view arg) {
  if (arg.size() < 7) return absl::InvalidArgumentError("EPRT |proto|address|port|");
  char d = arg[0];
  if (d < 33 || d > 126) return absl::InvalidArgumentError("bad EPRT delimiter");
  std::vector<std::string> parts = absl::StrSplit(arg, d);
  // "", proto, address, port, ""
  if (parts.size() != 5 || !parts[0].empty() || !parts[4].empty()) {
    return absl::InvalidArgumentError("EPRT |proto|address|port|");
  }
  HostPort hp;
  hp.ip = parts[2];
  if (!absl::SimpleAtoi(parts[3], &hp.port) || hp.port < 1 || hp.port > 65535) {
    return absl::InvalidArgumentError("bad EPRT port");
  }
  unsigned char buf[16];
  if (parts[1] == "1") {
    if (inet_pton(AF_INET, hp.ip.c_str(), buf) != 1) return absl::InvalidArgumentError("bad IPv4 address");
  } else if (parts[1] == "2") {
    if (inet_pton(AF_INET6, hp.ip.c_str(), buf) != 1) return absl::InvalidArgumentError("bad IPv6 address");
  } else {
    return absl::UnimplementedError("network protocol not supported, use (1,2)");
  }
  return hp;
}

absl::StatusOr<std::string> FormatPasvReply(const HostPort& where) {
  unsigned char v4[4];
  if (inet_pton(AF_INET, where.ip.c_str(), v4) != 1) {
    return absl::FailedPreconditionError("PASV needs an IPv4 address; use EPSV");
  }
  return absl::StrFormat("Entering Passive Mode (%d,%d,%d,%d,%d,%d).", v4[0], v4[1], v4[2], v4[3],
                         where.port / 256, where.port % 256);
}

std::string FormatEpsvReply(int port) {
  return absl::StrCat("Entering Extended Passive Mode (|||", port, "|)");
}

}  // namespace spoolgate::ftp
