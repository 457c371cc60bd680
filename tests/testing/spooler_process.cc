#include "tests/testing/spooler_process.h"

#include <signal.h>

#include <sstream>

namespace spoolgate::testing {

bool SpoolerProcess::Start() {
  std::string ready = data_dir_ + ".ready" + std::to_string(++starts_);
  std::vector<std::string> argv = {BinaryPath("services/spooler/spooler"),
                                   "--data_dir=" + data_dir_,
                                   // A restart keeps the port, so clients find it again.
                                   "--listen=127.0.0.1:" + std::to_string(port_),
                                   "--metrics_listen=127.0.0.1:0",
                                   "--min_free_disk_bytes=0",
                                   "--ready_file=" + ready};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  process_ = std::make_unique<Subprocess>(argv, log_);
  std::string content = WaitForFile(ready, absl::Seconds(30));
  std::istringstream in(content);
  in >> port_ >> metrics_port_;
  return port_ > 0;
}

void SpoolerProcess::Kill9() {
  if (!process_) return;
  process_->Signal(SIGKILL);
  process_->Wait(absl::Seconds(10));
  process_.reset();
}

int SpoolerProcess::Terminate(absl::Duration timeout) {
  if (!process_) return -1;
  process_->Signal(SIGTERM);
  int status = process_->Wait(timeout);
  process_.reset();
  return status;
}

}  // namespace spoolgate::testing
