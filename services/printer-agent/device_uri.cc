#include "services/printer-agent/device_uri.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace spoolgate::agent {
namespace {

absl::Status Bad(absl::string_view uri, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("device URI '", uri, "': ", why));
}

// %XX escapes in query values (model names have spaces).
std::string Unescape(absl::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    int value = 0;
    if (in[i] == '%' && i + 2 < in.size() &&
        absl::SimpleHexAtoi(in.substr(i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<DeviceUri> ParseDeviceUri(absl::string_view uri) {
  DeviceUri out;
  absl::string_view rest = uri;
  if (absl::ConsumePrefix(&rest, "socket://")) {
    out.scheme = DeviceUri::Scheme::kSocket;
    absl::ConsumeSuffix(&rest, "/");
    absl::string_view host = rest, port;
    if (absl::StartsWith(rest, "[")) {
      auto close = rest.find(']');
      if (close == absl::string_view::npos) return Bad(uri, "unclosed '['");
      host = rest.substr(1, close - 1);
      absl::string_view after = rest.substr(close + 1);
      if (!after.empty() && !absl::ConsumePrefix(&after, ":")) return Bad(uri, "junk after ']'");
      port = after;
    } else if (auto colon = rest.rfind(':'); colon != absl::string_view::npos) {
      if (rest.find(':') != colon) return Bad(uri, "IPv6 addresses need [brackets]");
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
    }
    if (host.empty()) return Bad(uri, "no host");
    out.host = std::string(host);
    if (!port.empty() && (!absl::SimpleAtoi(port, &out.port) || out.port < 1 || out.port > 65535)) {
      return Bad(uri, "bad port");
    }
    return out;
  }
  auto colon = rest.find(':');
  if (colon == absl::string_view::npos) return Bad(uri, "no scheme");
  absl::string_view scheme = rest.substr(0, colon);
  rest = rest.substr(colon + 1);
  if (scheme == "usb") {
    out.scheme = DeviceUri::Scheme::kUsb;
    if (absl::ConsumePrefix(&rest, "?")) {
      for (absl::string_view pair : absl::StrSplit(rest, '&')) {
        std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
        if (kv.first == "serial") {
          out.serial = Unescape(kv.second);
        } else if (kv.first == "model") {
          out.model = Unescape(kv.second);
        } else {
          return Bad(uri, absl::StrCat("unknown option '", kv.first, "'"));
        }
      }
      if (out.serial.empty() && out.model.empty()) return Bad(uri, "empty selector");
      return out;
    }
  } else if (scheme == "parallel") {
    out.scheme = DeviceUri::Scheme::kParallel;
  } else if (scheme == "file") {
    out.scheme = DeviceUri::Scheme::kFile;
    absl::ConsumePrefix(&rest, "//");  // file:///x is file:/x
  } else if (scheme == "dir") {
    out.scheme = DeviceUri::Scheme::kDir;
    absl::ConsumePrefix(&rest, "//");
  } else {
    return Bad(uri, absl::StrCat("unknown scheme '", scheme, "'"));
  }
  if (!absl::StartsWith(rest, "/")) return Bad(uri, "path must be absolute");
  out.path = std::string(rest);
  return out;
}

}  // namespace spoolgate::agent
