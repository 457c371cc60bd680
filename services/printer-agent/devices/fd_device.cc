#include "services/printer-agent/devices/devices.h"

namespace spoolgate::agent {

absl::Status FdDevice::BeginJob(uint64_t) {
  auto fd = Open();
  if (!fd.ok()) return fd.status();
  fd_ = *std::move(fd);
  return absl::OkStatus();
}

absl::Status FdDevice::Write(absl::string_view data) {
  return WriteAll(fd_.get(), data, options_.write_timeout, stall_hook_);
}

absl::Status FdDevice::EndJob() {
  fd_.reset();
  return absl::OkStatus();
}

}  // namespace spoolgate::agent
