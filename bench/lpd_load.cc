// LPD load: the real spooler, lpd-gateway and printer-agent (dir: device).
// 1) N small jobs over C concurrent connections (several jobs per
//    connection): jobs/s, p50/p99 of the data file's ack latency, and the
//    time until the last job is on the device;
// 2) one large job: MB/s and the gateway's peak RSS.
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/lpd_small_jobs.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(int, jobs, 2000, "small jobs in total");
ABSL_FLAG(int, connections, 8, "concurrent connections");
ABSL_FLAG(int, job_bytes, 1024, "size of each small job");
ABSL_FLAG(uint64_t, big_job_mib, 1024, "size of the large job in MiB; 0 skips it");

namespace spoolgate {
namespace {

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
  size_t job_bytes = absl::GetFlag(FLAGS_job_bytes);
  absl::Time start = absl::Now();
  bench::SmallJobsResult small = bench::RunSmallJobs(port, "bench", total, conns, job_bytes);
  // Until the last job is on the device.
  auto printed = [&] {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(out, ec)) n += e.path().filename().string()[0] != '.';
    return n;
  };
  absl::Time wait_deadline = absl::Now() + absl::Minutes(10);
  while (printed() < static_cast<size_t>(small.jobs) && absl::Now() < wait_deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  double until_printed = absl::ToDoubleSeconds(absl::Now() - start);
  std::cout << absl::StrFormat("%s; last one printed after %.1f s (%d on the device)\n",
                               bench::Describe(small, job_bytes, conns), until_printed, printed());

  uint64_t mib = absl::GetFlag(FLAGS_big_job_mib);
  if (mib > 0) {
    std::string big(1 << 20, 'B');
    bench::LpdConn c(port);
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
  return small.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace spoolgate

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return spoolgate::Run();
}
