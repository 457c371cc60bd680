// LPD load: the real spooler, lpd-gateway and printer-agent (dir: device).
// 1) N small jobs over C concurrent connections (several jobs per
//    connection): jobs/s, p50/p99 of the data file's ack latency, and the
//    time until the last job is on the device;
// 2) one large job: MB/s and the gateway's peak RSS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "lib/base/unique_fd.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(int, jobs, 2000, "small jobs in total");
ABSL_FLAG(int, connections, 8, "concurrent connections");
ABSL_FLAG(int, job_bytes, 1024, "size of each small job");
ABSL_FLAG(uint64_t, big_job_mib, 1024, "size of the large job in MiB; 0 skips it");

namespace spoolgate {
namespace {

class Conn {
 public:
  explicit Conn(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    timeval tv{60, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  bool Send(absl::string_view b) {
    while (!b.empty()) {
      ssize_t n = ::send(fd_.get(), b.data(), b.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      b.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool Ack() {
    char c = 1;
    return ::recv(fd_.get(), &c, 1, 0) == 1 && c == 0;
  }
  bool ok() const { return ok_; }

 private:
  UniqueFd fd_;
  bool ok_ = false;
};

// Sends one job (control first); returns the data file's ack latency, or
// a negative value on failure.
double SendJob(Conn& c, int number, absl::string_view data) {
  std::string df = absl::StrFormat("dfA%06dbench", number);
  std::string cf = absl::StrCat("Hbench\nPbench\nJload\nl", df, "\n");
  if (!c.Send(absl::StrFormat("\002%d cfA%06dbench\n", cf.size(), number)) || !c.Ack()) return -1;
  if (!c.Send(cf) || !c.Send(absl::string_view("\0", 1)) || !c.Ack()) return -1;
  if (!c.Send(absl::StrCat("\003", data.size(), " ", df, "\n")) || !c.Ack()) return -1;
  constexpr size_t kPiece = 1 << 20;
  for (size_t i = 0; i < data.size(); i += kPiece) {
    if (!c.Send(data.substr(i, kPiece))) return -1;
  }
  absl::Time sent = absl::Now();
  if (!c.Send(absl::string_view("\0", 1)) || !c.Ack()) return -1;
  return absl::ToDoubleMilliseconds(absl::Now() - sent);
}

int Run() {
  testing::TempDir dir;
  testing::SpoolerProcess spooler(dir.Sub("data"), dir.Sub("spooler.log"),
                                  {"--queues=bench", "--history_seconds=600"});
  if (!spooler.Start()) return 1;
  std::string ready = dir.Sub("lpd.ready");
  testing::Subprocess gateway({testing::BinaryPath("services/lpd-gateway/lpd-gateway"),
                               "--spooler=" + spooler.address(), "--listen=127.0.0.1:0",
                               "--metrics_listen=", "--ready_file=" + ready},
                              dir.Sub("lpd.log"));
  int port = std::stoi(testing::WaitForFile(ready, absl::Seconds(20)));
  std::string out = dir.Sub("printer");
  testing::Subprocess agent({testing::BinaryPath("services/printer-agent/printer-agent"),
                             "--spooler=" + spooler.address(), "--printer=p=bench=dir:" + out,
                             "--metrics_listen="},
                            dir.Sub("agent.log"));
  // Small jobs.
  int total = absl::GetFlag(FLAGS_jobs), conns = absl::GetFlag(FLAGS_connections);
  std::string payload(absl::GetFlag(FLAGS_job_bytes), 'p');
  std::vector<std::vector<double>> latencies(conns);
  std::atomic<int> next{0}, errors{0};
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < conns; ++t) {
    threads.emplace_back([&, t] {
      Conn c(port);
      if (!c.ok() || !c.Send("\002bench\n") || !c.Ack()) {
        ++errors;
        return;
      }
      int n;
      while ((n = next.fetch_add(1)) < total) {
        double ms = SendJob(c, n + 1, payload);
        if (ms < 0) {
          ++errors;
          return;
        }
        latencies[t].push_back(ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  // Until the last job is on the device.
  auto printed = [&] {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(out, ec)) n += e.path().filename().string()[0] != '.';
    return n;
  };
  absl::Time wait_deadline = absl::Now() + absl::Minutes(10);
  while (printed() < all.size() && absl::Now() < wait_deadline) absl::SleepFor(absl::Milliseconds(20));
  double until_printed = absl::ToDoubleSeconds(absl::Now() - start);
  std::cout << absl::StrFormat(
      "%d jobs of %d B over %d connections: %.0f jobs/s, ack p50 %.2f ms, p99 %.2f ms, "
      "errors %d; last one printed after %.1f s (%d on the device)\n",
      all.size(), payload.size(), conns, all.size() / seconds, pct(0.5), pct(0.99), errors.load(),
      until_printed, printed());

  uint64_t mib = absl::GetFlag(FLAGS_big_job_mib);
  if (mib > 0) {
    std::string big(1 << 20, 'B');
    Conn c(port);
    if (!c.ok() || !c.Send("\002bench\n") || !c.Ack()) return 1;
    std::string df = "dfA999999bench";
    std::string cf = absl::StrCat("Hbench\nPbench\nJbig\nl", df, "\n");
    c.Send(absl::StrFormat("\002%d cfA999999bench\n", cf.size()));
    c.Ack();
    c.Send(cf);
    c.Send(absl::string_view("\0", 1));
    c.Ack();
    absl::Time big_start = absl::Now();
    c.Send(absl::StrCat("\003", mib << 20, " ", df, "\n"));
    c.Ack();
    for (uint64_t i = 0; i < mib; ++i) c.Send(big);
    bool ok = c.Send(absl::string_view("\0", 1)) && c.Ack();
    double s = absl::ToDoubleSeconds(absl::Now() - big_start);
    std::cout << absl::StrFormat("one %d MiB job: %s in %.1f s, %.0f MB/s; lpd-gateway peak RSS %d MiB\n",
                                 mib, ok ? "acknowledged" : "FAILED", s, (mib << 20) / s / 1e6,
                                 testing::PeakRssKib(gateway.pid()) / 1024);
  }
  return errors.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace spoolgate

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return spoolgate::Run();
}
