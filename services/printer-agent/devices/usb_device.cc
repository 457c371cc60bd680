#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/printer-agent/devices/devices.h"

// From <linux/usb/g_printer.h>'s sibling drivers/usb/class/usblp.c.
#define SPOOLGATE_IOCNR_GET_DEVICE_ID 1
#define SPOOLGATE_LPIOC_GET_DEVICE_ID(len) _IOC(_IOC_READ, 'P', SPOOLGATE_IOCNR_GET_DEVICE_ID, len)

namespace spoolgate::agent {
namespace {

// The ioctl answers a 2-byte big-endian length and then the ID string.
std::string ReadDeviceId(int fd) {
  char buffer[1024] = {};
  if (::ioctl(fd, SPOOLGATE_LPIOC_GET_DEVICE_ID(sizeof(buffer)), buffer) < 0) return "";
  size_t length = (static_cast<unsigned char>(buffer[0]) << 8) | static_cast<unsigned char>(buffer[1]);
  if (length < 2) return "";
  length = std::min(length - 2, sizeof(buffer) - 2);
  return std::string(buffer + 2, strnlen(buffer + 2, length));
}

}  // namespace

std::map<std::string, std::string> ParseDeviceId(absl::string_view id) {
  std::map<std::string, std::string> fields;
  for (absl::string_view part : absl::StrSplit(id, ';', absl::SkipWhitespace())) {
    auto colon = part.find(':');
    if (colon == absl::string_view::npos) continue;
    std::string key = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(part.substr(0, colon)));
    if (key == "MANUFACTURER") key = "MFG";
    if (key == "MODEL") key = "MDL";
    if (key == "SERIALNUMBER" || key == "SERN") key = "SN";
    fields[key] = std::string(absl::StripAsciiWhitespace(part.substr(colon + 1)));
  }
  return fields;
}

bool DeviceIdMatches(absl::string_view id, const DeviceUri& uri) {
  auto fields = ParseDeviceId(id);
  if (!uri.serial.empty() && fields["SN"] != uri.serial) return false;
  if (!uri.model.empty()) {
    std::string model = fields["MDL"];
    std::string mfg_model = absl::StrCat(fields["MFG"], " ", model);
    if (!absl::EqualsIgnoreCase(model, uri.model) && !absl::EqualsIgnoreCase(mfg_model, uri.model)) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<UniqueFd> UsbDevice::Open() {
  // Re-plugging renumbers /dev/usb/lpN, so a selector searches every time.
  std::vector<std::string> candidates;
  if (!uri_.path.empty()) {
    candidates.push_back(uri_.path);
  } else {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(options_.usb_dir, ec)) {
      if (entry.path().filename().string().rfind("lp", 0) == 0) candidates.push_back(entry.path());
    }
    std::sort(candidates.begin(), candidates.end());
  }
  absl::Status last = absl::UnavailableError("no matching USB printer is connected");
  for (const auto& path : candidates) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) fd = UniqueFd(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
      last = DeviceError(errno, path);
      continue;
    }
    std::string id = ReadDeviceId(fd.get());
    if (uri_.path.empty() && !DeviceIdMatches(id, uri_)) continue;
    device_id_ = id;
    return fd;
  }
  return last;
}

}  // namespace spoolgate::agent
