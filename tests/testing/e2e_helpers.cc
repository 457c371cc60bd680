#include "tests/testing/e2e_helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace spoolgate::testing {

CommandResult RunSpoolctl(const std::string& spooler, std::vector<std::string> args,
                          absl::Duration timeout) {
  args.insert(args.begin(), {BinaryPath("tools/spoolctl/spoolctl"), "--spooler=" + spooler});
  return RunCommand(args, timeout);
}

uint64_t PrintFile(const std::string& spooler, const std::string& path, const std::string& queue,
                   std::vector<std::string> extra) {
  std::vector<std::string> args = {"print", path, "--queue=" + queue};
  args.insert(args.end(), extra.begin(), extra.end());
  auto result = RunSpoolctl(spooler, args);
  uint64_t id = 0;
  if (result.exit_code != 0 || !absl::SimpleAtoi(absl::StripAsciiWhitespace(result.out), &id)) {
    return 0;
  }
  return id;
}

bool WaitUntil(const std::function<bool()>& done, absl::Duration limit) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

int ConnectLoopback(int port, absl::Duration timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{static_cast<time_t>(absl::ToInt64Seconds(timeout)), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string ReadUntilClosed(int fd, absl::Duration limit) {
  std::string out;
  absl::Time deadline = absl::Now() + limit;
  char buffer[4096];
  while (absl::Now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace spoolgate::testing
