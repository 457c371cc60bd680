// IP address ranges for access rules ("10.0.0.0/8", "::1", "192.0.2.7").
// Pure: parses literals only, never resolves names.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace spoolgate::net {

struct Cidr {
  std::array<uint8_t, 16> address{};  // IPv4 stored as IPv4-mapped IPv6
  int prefix_bits = 128;              // of the 128-bit form
};

// "a.b.c.d[/n]" or "v6[/n]"; a bare address is a /32 or /128.
absl::StatusOr<Cidr> ParseCidr(absl::string_view text);
absl::StatusOr<std::vector<Cidr>> ParseCidrList(const std::vector<std::string>& texts);

// `address` is an IP literal, optionally "[v6]" or with ":port" / "]:port".
// IPv4-mapped IPv6 addresses match IPv4 ranges. False for anything unparsable.
bool AddressInRanges(absl::string_view address, const std::vector<Cidr>& ranges);

// The address part of "1.2.3.4:56", "[::1]:56", "ipv4:1.2.3.4:56" or
// "ipv6:[::1]:56" (gRPC's peer form).
std::string HostOfPeer(absl::string_view peer);

// Whether a listen address ("127.0.0.1:7600", "[::1]:0", "localhost:7600",
// "unix:/path") is reachable from this machine only. "0.0.0.0" is not.
bool IsLoopbackListen(absl::string_view listen);

}  // namespace spoolgate::net
