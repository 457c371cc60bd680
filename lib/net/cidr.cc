#include "lib/net/cidr.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace spoolgate::net {
namespace {

bool ParseAddress(absl::string_view text, std::array<uint8_t, 16>* out, bool* is_v4) {
  std::string s(text);
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out->fill(0);
    (*out)[10] = (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &v4, 4);
    *is_v4 = true;
    return true;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    *is_v4 = false;
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<Cidr> ParseCidr(absl::string_view text) {
  Cidr cidr;
  absl::string_view addr = text;
  int bits = -1;
  if (auto slash = text.find('/'); slash != absl::string_view::npos) {
    addr = text.substr(0, slash);
    if (!absl::SimpleAtoi(text.substr(slash + 1), &bits)) {
      return absl::InvalidArgumentError(absl::StrCat("bad prefix length in '", text, "'"));
    }
  }
  bool is_v4 = false;
  if (!ParseAddress(addr, &cidr.address, &is_v4)) {
    return absl::InvalidArgumentError(absl::StrCat("not an IP address: '", text, "'"));
  }
  int max_bits = is_v4 ? 32 : 128;
  if (bits < 0) bits = max_bits;
  if (bits > max_bits) {
    return absl::InvalidArgumentError(absl::StrCat("prefix too long in '", text, "'"));
  }
  cidr.prefix_bits = is_v4 ? bits + 96 : bits;
  return cidr;
}

absl::StatusOr<std::vector<Cidr>> ParseCidrList(const std::vector<std::string>& texts) {
  std::vector<Cidr> out;
  for (const auto& t : texts) {
    auto c = ParseCidr(t);
    if (!c.ok()) return c.status();
    out.push_back(*c);
  }
  return out;
}

std::string HostOfPeer(absl::string_view peer) {
  absl::ConsumePrefix(&peer, "ipv4:");
  absl::ConsumePrefix(&peer, "ipv6:");
  if (absl::StartsWith(peer, "[")) {
    auto close = peer.find(']');
    if (close != absl::string_view::npos) return std::string(peer.substr(1, close - 1));
  }
  // "1.2.3.4:56": exactly one colon means a port follows.
  auto colon = peer.find(':');
  if (colon != absl::string_view::npos && peer.find(':', colon + 1) == absl::string_view::npos) {
    return std::string(peer.substr(0, colon));
  }
  return std::string(peer);
}

bool AddressInRanges(absl::string_view address, const std::vector<Cidr>& ranges) {
  std::array<uint8_t, 16> addr;
  bool is_v4 = false;
  if (!ParseAddress(HostOfPeer(address), &addr, &is_v4)) return false;
  for (const auto& range : ranges) {
    int bits = range.prefix_bits;
    bool match = true;
    for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
      uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
      if ((addr[i] & mask) != (range.address[i] & mask)) {
        match = false;
        break;
      }
    }
    if (match) return true;
  }
  return false;
}

bool IsLoopbackListen(absl::string_view listen) {
  if (absl::StartsWith(listen, "unix:") || absl::StartsWith(listen, "unix-abstract:")) return true;
  std::string host = HostOfPeer(listen);
  if (host == "localhost") return true;
  static const auto* loopback = new std::vector<Cidr>{*ParseCidr("127.0.0.0/8"), *ParseCidr("::1")};
  return AddressInRanges(host, *loopback);
}

}  // namespace spoolgate::net
