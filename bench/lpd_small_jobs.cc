#include "bench/lpd_small_jobs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace spoolgate::bench {

LpdConn::LpdConn(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ok_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  timeval tv{60, 0};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

bool LpdConn::Send(absl::string_view b) {
  while (!b.empty()) {
    ssize_t n = ::send(fd_.get(), b.data(), b.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    b.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool LpdConn::Ack() {
  char c = 1;
  return ::recv(fd_.get(), &c, 1, 0) == 1 && c == 0;
}

ssize_t LpdConn::Receive(char* buffer, size_t size) { return ::recv(fd_.get(), buffer, size, 0); }

namespace {

// Sends one job (control first); returns the data file's ack latency, or
// a negative value on failure.
double SendJob(LpdConn& c, int number, absl::string_view data) {
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

}  // namespace

SmallJobsResult RunSmallJobs(int port, const std::string& queue, int total, int connections,
                             size_t job_bytes, int first_number) {
  std::string payload(job_bytes, 'p');
  std::vector<std::vector<double>> latencies(connections);
  std::atomic<int> next{0}, errors{0};
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      LpdConn c(port);
      if (!c.ok() || !c.Send(absl::StrCat("\002", queue, "\n")) || !c.Ack()) {
        ++errors;
        return;
      }
      int n;
      while ((n = next.fetch_add(1)) < total) {
        double ms = SendJob(c, first_number + n, payload);
        if (ms < 0) {
          ++errors;
          return;
        }
        latencies[t].push_back(ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  SmallJobsResult result;
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  result.jobs = static_cast<int>(all.size());
  result.errors = errors.load();
  result.ack_p50_ms = pct(0.5);
  result.ack_p99_ms = pct(0.99);
  return result;
}

std::string Describe(const SmallJobsResult& r, size_t job_bytes, int connections) {
  return absl::StrFormat(
      "%d jobs of %d B over %d connections: %.0f jobs/s, ack p50 %.2f ms, p99 %.2f ms, errors %d",
      r.jobs, job_bytes, connections, r.jobs_per_second(), r.ack_p50_ms, r.ack_p99_ms, r.errors);
}

}  // namespace spoolgate::bench
