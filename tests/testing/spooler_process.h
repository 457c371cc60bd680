// The real spooler binary on an ephemeral loopback port and a data dir,
// restartable on the same dir (for crash tests).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/testing/subprocess.h"

namespace spoolgate::testing {

class SpoolerProcess {
 public:
  SpoolerProcess(std::string data_dir, std::string log_path, std::vector<std::string> extra_flags)
      : data_dir_(std::move(data_dir)), log_(std::move(log_path)), extra_(std::move(extra_flags)) {}

  // Starts the binary and waits until it serves; false if it did not.
  bool Start();
  void Kill9();
  // SIGTERM; returns the wait status or -1 if it did not stop in `timeout`.
  int Terminate(absl::Duration timeout);

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int metrics_port() const { return metrics_port_; }
  const std::string& log_path() const { return log_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }

 private:
  std::string data_dir_, log_;
  std::vector<std::string> extra_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0, metrics_port_ = 0;
  int starts_ = 0;
};

}  // namespace spoolgate::testing
