// Spooler load tool: starts the real spooler binary on a temp dir and
// measures synced-acknowledgement throughput and latency for 1 KiB jobs at
// several concurrency levels and for mid-size documents (spool files), then
// MB/s and the spooler's peak RSS for one large job (a fresh process, so
// the RSS figure is that job's alone).
#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <grpcpp/create_channel.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "lib/base/memory.h"
#include "spoolgate/v1/intake.grpc.pb.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(std::vector<std::string>, concurrency, std::vector<std::string>({"1", "8", "64"}),
          "submitter counts");
ABSL_FLAG(int, jobs, 2000, "1 KiB jobs per concurrency level");
ABSL_FLAG(int, mid_jobs, 200, "mid-size jobs (each its own spool file); 0 skips them");
ABSL_FLAG(int, mid_job_kib, 1024, "size of a mid-size job in KiB");
ABSL_FLAG(int, mid_concurrency, 4, "submitters of mid-size jobs");
ABSL_FLAG(uint64_t, big_job_mib, 1024, "size of the large job in MiB; 0 skips it");

namespace spoolgate {
namespace {

// Sends one job of `size` bytes in 1 MiB chunks; returns false on any error.
bool SubmitJob(v1::Intake::Stub& stub, uint64_t size) {
  grpc::ClientContext context;
  auto stream = stub.Submit(&context);
  v1::SubmitRequest request;
  request.mutable_header()->set_queue("bench");
  request.mutable_header()->set_user("bench");
  request.mutable_header()->set_expected_bytes(size);
  stream->Write(request);
  request.mutable_document_start()->set_name("bench");
  stream->Write(request);
  std::string chunk(std::min<uint64_t>(size, 1 << 20), 'x');
  for (uint64_t sent = 0; sent < size;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), size - sent));
    request.mutable_chunk()->set_data(chunk.data(), n);
    if (!stream->Write(request)) break;
    sent += n;
  }
  request.mutable_document_end();
  stream->Write(request);
  request.mutable_commit();
  stream->Write(request);
  stream->WritesDone();
  v1::SubmitResponse response;
  bool committed = false;
  while (stream->Read(&response)) committed |= response.has_committed();
  return stream->Finish().ok() && committed;
}

struct Level {
  double jobs_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int errors = 0;
};

// `total` jobs of `size` bytes from `n` submitters at once.
Level RunLevel(const std::shared_ptr<grpc::Channel>& channel, int n, int total, uint64_t size) {
  std::vector<std::vector<double>> latencies(n);
  std::atomic<int> errors{0};
  std::atomic<int> next{0};
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      auto own = v1::Intake::NewStub(channel);
      while (next.fetch_add(1) < total) {
        absl::Time begin = absl::Now();
        if (!SubmitJob(*own, size)) ++errors;
        latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - begin));
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  return {total / seconds, pct(0.50), pct(0.99), errors.load()};
}

int Run() {
  testing::TempDir dir;
  testing::SpoolerProcess spooler(dir.Sub("data"), dir.Sub("spooler.log"),
                                  {"--queues=bench", "--history_seconds=60"});
  if (!spooler.Start()) {
    std::cerr << "spooler did not start:\n" << testing::ReadFile(dir.Sub("spooler.log"));
    return 1;
  }
  auto channel = grpc::CreateChannel(spooler.address(), grpc::InsecureChannelCredentials());
  auto stub = v1::Intake::NewStub(channel);
  std::cout << "1 KiB jobs, synced acknowledgements (" << absl::GetFlag(FLAGS_jobs)
            << " jobs per level)\n";
  std::cout << absl::StrFormat("%-12s %10s %10s %10s %8s\n", "submitters", "jobs/s", "p50 ms",
                               "p99 ms", "errors");
  for (const auto& level : absl::GetFlag(FLAGS_concurrency)) {
    int n = std::stoi(level);
    Level result = RunLevel(channel, n, absl::GetFlag(FLAGS_jobs), 1024);
    std::cout << absl::StrFormat("%-12d %10.0f %10.2f %10.2f %8d\n", n, result.jobs_per_second,
                                 result.p50_ms, result.p99_ms, result.errors);
  }
  if (int mid_jobs = absl::GetFlag(FLAGS_mid_jobs); mid_jobs > 0) {
    uint64_t size = uint64_t{1024} * absl::GetFlag(FLAGS_mid_job_kib);
    int n = absl::GetFlag(FLAGS_mid_concurrency);
    Level result = RunLevel(channel, n, mid_jobs, size);
    std::cout << absl::StrFormat(
        "%d KiB jobs, %d submitters: %.0f jobs/s, %.0f MB/s, p50 %.2f ms, p99 %.2f ms, %d errors\n",
        size / 1024, n, result.jobs_per_second, result.jobs_per_second * size / 1e6, result.p50_ms,
        result.p99_ms, result.errors);
  }
  std::cout << "spooler peak RSS after these levels: " << testing::PeakRssKib(spooler.pid()) / 1024
            << " MiB\n";
  spooler.Terminate(absl::Seconds(30));

  uint64_t mib = absl::GetFlag(FLAGS_big_job_mib);
  if (mib == 0) return 0;
  testing::SpoolerProcess fresh(dir.Sub("data2"), dir.Sub("spooler2.log"), {"--queues=bench"});
  if (!fresh.Start()) return 1;
  auto big_stub = v1::Intake::NewStub(
      grpc::CreateChannel(fresh.address(), grpc::InsecureChannelCredentials()));
  uint64_t before = testing::PeakRssKib(fresh.pid());
  absl::Time start = absl::Now();
  bool ok = SubmitJob(*big_stub, mib << 20);
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::cout << absl::StrFormat(
      "one %d MiB job: %s, %.1f s, %.0f MB/s; spooler peak RSS %d MiB (at start %d MiB)\n", mib,
      ok ? "committed" : "FAILED", seconds, (mib << 20) / seconds / 1e6,
      testing::PeakRssKib(fresh.pid()) / 1024, before / 1024);
  fresh.Terminate(absl::Seconds(30));
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace spoolgate

int main(int argc, char** argv) {
  // As the gateways do: without it, every 1 MiB chunk this client builds
  // faults in fresh pages, and the figures measure the client.
  spoolgate::ConfigureMalloc();
  absl::ParseCommandLine(argc, argv);
  return spoolgate::Run();
}
