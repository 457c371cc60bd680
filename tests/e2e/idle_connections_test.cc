// Thousands of idle peers against the real gateways: an office's forgotten
// sessions and half-finished lpr runs must not stop anyone else printing,
// and one connection past the cap gets a clear refusal.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "lib/base/process_limits.h"
#include "lib/base/unique_fd.h"
#include "tests/testing/e2e_helpers.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::BinaryPath;
using ::spoolgate::testing::ConnectLoopback;
using ::spoolgate::testing::ReadFile;
using ::spoolgate::testing::ReadUntilClosed;
using ::spoolgate::testing::RunCommand;
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::Subprocess;
using ::spoolgate::testing::TempDir;
using ::spoolgate::testing::WaitForFile;
using ::spoolgate::testing::WaitUntil;

constexpr int kCap = 2000;

// A line from `fd` (blocking with the socket's timeout).
std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (line.size() < 512 && ::recv(fd, &c, 1, 0) == 1) {
    line += c;
    if (c == '\n') break;
  }
  return line;
}

// VmRSS of `pid` in KiB.
long RssKiB(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(in, line);) {
    long kib = 0;
    if (absl::StartsWith(line, "VmRSS:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")), &kib)) {
      return kib;
    }
  }
  return -1;
}

// A gateway's ports from its ready file: listening port, metrics port.
std::pair<int, int> ReadyPorts(const std::string& ready_file) {
  std::istringstream in(WaitForFile(ready_file, absl::Seconds(20)));
  int port = 0, metrics = 0;
  in >> port >> metrics;
  return {port, metrics};
}

double MetricValue(int metrics_port, const std::string& name) {
  auto scraped = RunCommand({"curl", "-sf", absl::StrCat("http://127.0.0.1:", metrics_port, "/metrics")},
                            absl::Seconds(10));
  for (absl::string_view line : absl::StrSplit(scraped.out, '\n')) {
    if (!absl::StartsWith(line, name + " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(name.size() + 1), &value)) return value;
  }
  return -1;
}

class IdleConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two thousand sockets here (each gateway raises its own limit).
    if (RaiseOpenFileLimit(kCap + 512) < kCap + 512) {
      GTEST_SKIP() << "the open file limit is below " << kCap + 512;
    }
    spooler_ = std::make_unique<SpoolerProcess>(dir_.Sub("data"), dir_.Sub("spooler.log"),
                                                std::vector<std::string>{"--queues=office"});
    ASSERT_TRUE(spooler_->Start());
    printed_ = dir_.Sub("printed");
    agent_ = std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/printer-agent/printer-agent"),
                                 "--spooler=" + spooler_->address(), "--agent_id=a",
                                 "--printer=p=office=dir:" + printed_, "--metrics_listen="},
        dir_.Sub("agent.log"));
  }
  void TearDown() override {
    if (HasFailure()) {
      for (const char* log : {"lpd.log", "ftp.log", "spooler.log", "agent.log"}) {
        std::cerr << "--- " << log << "\n" << ReadFile(dir_.Sub(log)).substr(0, 20000);
      }
    }
  }

  std::unique_ptr<Subprocess> StartGateway(const std::string& name, std::vector<std::string> argv) {
    argv.insert(argv.end(), {"--spooler=" + spooler_->address(), "--listen=127.0.0.1:0",
                             "--metrics_listen=127.0.0.1:0", "--idle_timeout_seconds=600",
                             "--ready_file=" + dir_.Sub(name + ".ready")});
    return std::make_unique<Subprocess>(argv, dir_.Sub(name + ".log"));
  }

  // Waits until the printer's folder holds a finished job (not a ".part"
  // file still being written) with exactly `bytes`.
  bool WaitForPrinted(const std::string& bytes) {
    return WaitUntil(
        [&] {
          std::error_code ec;
          for (const auto& entry : std::filesystem::directory_iterator(printed_, ec)) {
            std::string name = entry.path().filename().string();
            if (!name.empty() && name[0] != '.' && ReadFile(entry.path().string()) == bytes) return true;
          }
          return false;
        },
        absl::Seconds(60));
  }

  // Opens `n` connections to `port` that then say nothing.
  std::vector<UniqueFd> OpenIdle(int port, int n) {
    std::vector<UniqueFd> fds;
    for (int i = 0; i < n; ++i) {
      int fd = ConnectLoopback(port, absl::Seconds(20));
      if (fd < 0) break;
      fds.emplace_back(fd);
    }
    return fds;
  }

  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
  std::unique_ptr<Subprocess> agent_;
  std::string printed_;
};

TEST_F(IdleConnectionsTest, LpdServesAJobBesideIdleConnectionsAndRefusesPastTheCap) {
  auto gateway = StartGateway("lpd", {BinaryPath("services/lpd-gateway/lpd-gateway"),
                                      absl::StrCat("--max_connections=", kCap)});
  auto [port, metrics] = ReadyPorts(dir_.Sub("lpd.ready"));
  std::vector<UniqueFd> idle = OpenIdle(port, kCap - 1);
  ASSERT_EQ(static_cast<int>(idle.size()), kCap - 1);
  ASSERT_TRUE(WaitUntil([&] { return MetricValue(metrics, "spoolgate_lpd_active_connections") == kCap - 1; },
                        absl::Seconds(60)));
  std::cout << "lpd-gateway RSS with " << kCap - 1 << " idle connections: "
            << RssKiB(gateway->pid()) / 1024.0 << " MiB\n";

  // The last place: a whole job, and the connection stays open after it.
  UniqueFd job(ConnectLoopback(port, absl::Seconds(20)));
  ASSERT_GE(job.get(), 0);
  std::string data = "printed beside two thousand idle peers\n";
  std::string control = "Hidlehost\nPidle\nldfA001idlehost\n";
  auto ack = [&] {
    char c = 1;
    return ::recv(job.get(), &c, 1, 0) == 1 ? c : -1;
  };
  auto send = [&](const std::string& bytes) {
    ASSERT_EQ(::send(job.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  };
  send("\002office\n");
  ASSERT_EQ(ack(), 0);
  send(absl::StrCat("\003", data.size(), " dfA001idlehost\n"));
  ASSERT_EQ(ack(), 0);
  send(data + std::string(1, '\0'));
  ASSERT_EQ(ack(), 0);
  send(absl::StrCat("\002", control.size(), " cfA001idlehost\n"));
  ASSERT_EQ(ack(), 0);
  send(control + std::string(1, '\0'));
  ASSERT_EQ(ack(), 0);
  EXPECT_TRUE(WaitForPrinted(data)) << "the job's bytes did not reach the printer";

  // Now kCap connections are open: one more is told to try again later.
  UniqueFd extra(ConnectLoopback(port, absl::Seconds(20)));
  ASSERT_GE(extra.get(), 0);
  std::string refusal = ReadUntilClosed(extra.get(), absl::Seconds(20));
  ASSERT_FALSE(refusal.empty());
  EXPECT_EQ(refusal[0], '\2');
  EXPECT_TRUE(absl::StrContains(refusal, "too many connections")) << refusal;
  // Room again once an idle peer leaves.
  idle.pop_back();
  ASSERT_TRUE(WaitUntil([&] { return MetricValue(metrics, "spoolgate_lpd_active_connections") == kCap - 1; },
                        absl::Seconds(30)));
  UniqueFd again(ConnectLoopback(port, absl::Seconds(20)));
  ASSERT_EQ(::send(again.get(), "\004office\n", 8, MSG_NOSIGNAL), 8);
  std::string listing = ReadUntilClosed(again.get(), absl::Seconds(20));
  EXPECT_TRUE(absl::StrContains(listing, "office")) << listing;
}

TEST_F(IdleConnectionsTest, FtpGreetsTwoThousandSessionsAndSays421PastTheCap) {
  auto gateway = StartGateway("ftp", {BinaryPath("services/ftp-gateway/ftp-gateway"),
                                      absl::StrCat("--max_sessions=", kCap)});
  auto [port, metrics] = ReadyPorts(dir_.Sub("ftp.ready"));
  std::vector<UniqueFd> idle = OpenIdle(port, kCap);
  ASSERT_EQ(static_cast<int>(idle.size()), kCap);
  int greeted = 0;
  for (const auto& fd : idle) greeted += absl::StartsWith(ReadLine(fd.get()), "220 ") ? 1 : 0;
  EXPECT_EQ(greeted, kCap);
  std::cout << "ftp-gateway RSS with " << kCap << " idle sessions: "
            << RssKiB(gateway->pid()) / 1024.0 << " MiB\n";
  UniqueFd extra(ConnectLoopback(port, absl::Seconds(20)));
  ASSERT_GE(extra.get(), 0);
  std::string refusal = ReadUntilClosed(extra.get(), absl::Seconds(20));
  EXPECT_TRUE(absl::StartsWith(refusal, "421 ")) << refusal;
  // A session that leaves makes room for a new one, which can print.
  idle.pop_back();
  std::string path = dir_.Sub("upload.txt");
  const std::string upload = "uploaded beside two thousand idle sessions\n";
  std::ofstream(path) << upload;
  bool uploaded = WaitUntil(
      [&] {
        return RunCommand({"curl", "-sf", "-T", path,
                           absl::StrCat("ftp://127.0.0.1:", port, "/office/")},
                          absl::Seconds(30))
                   .exit_code == 0;
      },
      absl::Seconds(30));
  ASSERT_TRUE(uploaded);
  EXPECT_TRUE(WaitForPrinted(upload)) << "the upload's bytes did not reach the printer";
}

}  // namespace
}  // namespace spoolgate
