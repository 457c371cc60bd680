// Runs the project's real binaries from tests: start with arguments, stderr
// to a log file, signal, wait. RAII: a still-running child is killed (-9).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace spoolgate::testing {

// Path of a built binary, e.g. BinaryPath("services/spooler/spooler"),
// from $SPOOLGATE_BIN_DIR (set by CMake for every test).
std::string BinaryPath(const std::string& relative);

class Subprocess {
 public:
  // Starts `argv[0]` with `argv`; stdout and stderr are appended to `log_path`.
  Subprocess(std::vector<std::string> argv, const std::string& log_path);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits up to `timeout` for the child to exit; returns its wait status or -1.
  int Wait(absl::Duration timeout);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// Runs a command to completion (bounded by `timeout`), capturing stdout.
struct CommandResult {
  int exit_code = -1;  // -1 if it did not finish in time (it is then killed)
  std::string out;
};
CommandResult RunCommand(const std::vector<std::string>& argv, absl::Duration timeout,
                         const std::string& stdin_data = "");

// Waits until `path` exists and is non-empty; returns its content or "".
std::string WaitForFile(const std::string& path, absl::Duration timeout);

std::string ReadFile(const std::string& path);

// Peak resident set size (VmHWM) of a running process, in KiB; 0 if unknown.
uint64_t PeakRssKib(pid_t pid);

}  // namespace spoolgate::testing
