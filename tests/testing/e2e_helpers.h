// What the end-to-end tests of the real binaries share: spoolctl against a
// spooler, polling with a bound, and a loopback TCP connection.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/testing/subprocess.h"

namespace spoolgate::testing {

// Runs the built spoolctl with --spooler=`spooler` and `args`.
CommandResult RunSpoolctl(const std::string& spooler, std::vector<std::string> args,
                          absl::Duration timeout = absl::Minutes(3));

// `spoolctl print PATH --queue=QUEUE [extra...]`: the new job's id, 0 if it
// was refused (the caller's test then fails on its expectation).
uint64_t PrintFile(const std::string& spooler, const std::string& path, const std::string& queue,
                   std::vector<std::string> extra = {});

// Polls `done` every 50 ms until it holds or `limit` has passed.
bool WaitUntil(const std::function<bool()>& done, absl::Duration limit);

// A blocking TCP connection to 127.0.0.1:`port` whose reads time out after
// `timeout`; -1 if it cannot connect.
int ConnectLoopback(int port, absl::Duration timeout = absl::Seconds(10));

// What arrives on `fd` until the peer closes it or `limit` passes.
std::string ReadUntilClosed(int fd, absl::Duration limit);

}  // namespace spoolgate::testing
