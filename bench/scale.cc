// The spooler at office scale. Fills a data dir through the store API with
// --pending jobs waiting in queue "big" and --history finished jobs (spread
// over the last 23 hours, all still within --history_seconds), then with
// the real binaries measures: start-up to serving; lpq short and long on
// "big" (first byte and whole answer); the first page of ListJobs and of
// `spoolctl jobs`; FTP LIST of "big"; and the LPD small-job load on queue
// "bench" beside it, against the same load on an empty stack that runs
// alongside. On the empty stack it also compares the load with and without
// thousands of idle connections. Comparisons alternate over --rounds
// rounds and compare medians.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/lpd_small_jobs.h"
#include "lib/base/process_limits.h"
#include "lib/base/unique_fd.h"
#include "services/spooler/job_store.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tests/testing/e2e_helpers.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(int, pending, 100000, "jobs waiting in queue big");
ABSL_FLAG(int, history, 1000000, "finished jobs in history");
ABSL_FLAG(int, jobs, 2000, "small jobs of the LPD load");
ABSL_FLAG(int, connections, 8, "connections of the LPD load");
ABSL_FLAG(int, idle_peers, 2000, "idle LPD connections and idle FTP sessions held open in one run");
ABSL_FLAG(int, rounds, 5, "alternating rounds of each comparison; their medians are compared");

namespace spoolgate {
namespace {

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

v1::Job MakeJob(uint64_t id, const std::string& queue, v1::JobState state, absl::Time submitted) {
  v1::Job job;
  job.set_id(id);
  job.set_queue(queue);
  job.set_state(state);
  job.set_user(absl::StrCat("user", id % 97));
  job.set_host(absl::StrCat("ws", id % 41));
  job.set_title(absl::StrCat("report-", id, ".pdf"));
  job.set_created_unix_micros(absl::ToUnixMicros(submitted));
  job.set_submitted_unix_micros(absl::ToUnixMicros(submitted));
  auto* doc = job.add_documents();
  doc->set_index(0);
  doc->set_name(job.title());
  doc->set_size_bytes(64);
  doc->set_storage(v1::DOCUMENT_STORAGE_INLINE);
  job.set_total_bytes(64);
  return job;
}

// Writes the jobs through the store, as the spooler would have left them.
absl::Status Fill(const std::string& data_dir, int pending, int history) {
  spooler::JobStore::Options options;
  options.path = data_dir;
  auto store = spooler::JobStore::Open(options);
  if (!store.ok()) return store.status();
  for (const char* name : {"big", "bench"}) {
    v1::Queue queue;
    queue.set_name(name);
    queue.set_accepting(true);
    queue.set_enabled(true);
    if (auto s = (*store)->PutQueue(queue); !s.ok()) return s;
  }
  absl::Time now = absl::Now();
  uint64_t id = 1;
  for (int i = 0; i < history; ++i, ++id) {
    absl::Time finished = now - absl::Hours(23) + absl::Hours(23) * (static_cast<double>(i) / history);
    v1::Job job = MakeJob(id, "big", v1::JOB_STATE_COMPLETED, finished - absl::Seconds(5));
    job.set_finished_unix_micros(absl::ToUnixMicros(finished));
    if (auto s = (*store)->PutJob(nullptr, job, /*sync=*/false); !s.ok()) return s;
  }
  std::string bytes(64, 'q');
  for (int i = 0; i < pending; ++i, ++id) {
    v1::Job job = MakeJob(id, "big", v1::JOB_STATE_PENDING, now - absl::Minutes(30));
    if (auto s = (*store)->PutChunk(id, 0, 0, bytes); !s.ok()) return s;
    if (auto s = (*store)->PutJob(nullptr, job, /*sync=*/false); !s.ok()) return s;
  }
  return (*store)->SyncData();
}

struct Stack {
  std::unique_ptr<testing::SpoolerProcess> spooler;
  std::unique_ptr<testing::Subprocess> lpd, ftp, agent;
  int lpd_port = 0, ftp_port = 0;
  double start_ms = 0;
};

int ReadyPort(const std::string& file) {
  std::istringstream in(testing::WaitForFile(file, absl::Seconds(60)));
  int port = 0;
  in >> port;
  return port;
}

// Starts the spooler on `dir`/data (timed), both gateways and an agent
// whose printer serves only queue "bench".
bool StartStack(const testing::TempDir& dir, Stack& stack) {
  stack.spooler = std::make_unique<testing::SpoolerProcess>(
      dir.Sub("data"), dir.Sub("spooler.log"),
      std::vector<std::string>{"--queues=big,bench", "--history_seconds=86400"});
  absl::Time start = absl::Now();
  if (!stack.spooler->Start()) return false;
  stack.start_ms = Ms(absl::Now() - start);
  std::string spooler = "--spooler=" + stack.spooler->address();
  stack.lpd = std::make_unique<testing::Subprocess>(
      std::vector<std::string>{testing::BinaryPath("services/lpd-gateway/lpd-gateway"), spooler,
                               "--listen=127.0.0.1:0", "--metrics_listen=",
                               "--ready_file=" + dir.Sub("lpd.ready")},
      dir.Sub("lpd.log"));
  stack.ftp = std::make_unique<testing::Subprocess>(
      std::vector<std::string>{testing::BinaryPath("services/ftp-gateway/ftp-gateway"), spooler,
                               "--listen=127.0.0.1:0", "--metrics_listen=",
                               "--ready_file=" + dir.Sub("ftp.ready")},
      dir.Sub("ftp.log"));
  stack.agent = std::make_unique<testing::Subprocess>(
      std::vector<std::string>{testing::BinaryPath("services/printer-agent/printer-agent"), spooler,
                               "--printer=p=bench=dir:" + dir.Sub("printer"), "--metrics_listen="},
      dir.Sub("agent.log"));
  stack.lpd_port = ReadyPort(dir.Sub("lpd.ready"));
  stack.ftp_port = ReadyPort(dir.Sub("ftp.ready"));
  return stack.lpd_port != 0 && stack.ftp_port != 0;
}

// An lpq request (`code` 3 short, 4 long) on `queue`: time to the first
// byte and to the end of the answer, and its size.
void Lpq(int port, char code, const std::string& queue) {
  bench::LpdConn c(port);
  absl::Time start = absl::Now();
  if (!c.ok() || !c.Send(absl::StrCat(std::string(1, code), queue, "\n"))) {
    std::cout << "lpq: cannot connect\n";
    return;
  }
  size_t bytes = 0, lines = 0;
  absl::Duration first = absl::InfiniteDuration();
  char buffer[65536];
  for (;;) {
    ssize_t n = c.Receive(buffer, sizeof(buffer));
    if (n <= 0) break;
    if (bytes == 0) first = absl::Now() - start;
    bytes += static_cast<size_t>(n);
    lines += std::count(buffer, buffer + n, '\n');
  }
  std::cout << absl::StrFormat("lpq %s %s: first byte %.1f ms, whole answer %.0f ms (%d lines, %d KiB)\n",
                               code == 3 ? "short" : "long", queue, Ms(first),
                               Ms(absl::Now() - start), lines, bytes >> 10);
}

void ListJobsPage(const std::string& address) {
  auto admin = v1::Admin::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  for (int round = 0; round < 2; ++round) {  // the first also connects
    grpc::ClientContext call;
    v1::ListJobsRequest request;
    request.set_queue("big");
    request.set_page_size(100);
    v1::ListJobsResponse response;
    absl::Time start = absl::Now();
    grpc::Status s = admin->ListJobs(&call, request, &response);
    if (round == 1) {
      std::cout << absl::StrFormat("ListJobs first page of big: %.1f ms (%d jobs, %s)\n",
                                   Ms(absl::Now() - start), response.jobs_size(),
                                   s.ok() ? "ok" : s.error_message());
    }
  }
  absl::Time start = absl::Now();
  auto spoolctl = testing::RunCommand({testing::BinaryPath("tools/spoolctl/spoolctl"),
                                       "--spooler=" + address, "jobs", "--queue=big"},
                                      absl::Minutes(1));
  std::cout << absl::StrFormat("spoolctl jobs --queue=big: %.1f ms with its start (%d lines, exit %d)\n",
                               Ms(absl::Now() - start),
                               std::count(spoolctl.out.begin(), spoolctl.out.end(), '\n'),
                               spoolctl.exit_code);
}

void FtpList(int port) {
  absl::Time start = absl::Now();
  auto listed = testing::RunCommand(
      {"curl", "-s", absl::StrCat("ftp://127.0.0.1:", port, "/big/")}, absl::Minutes(1));
  std::cout << absl::StrFormat("FTP LIST /big (curl, with its start): %.1f ms (%d lines, exit %d)\n",
                               Ms(absl::Now() - start),
                               std::count(listed.out.begin(), listed.out.end(), '\n'),
                               listed.exit_code);
}

// Waits (at most a minute) until `count` jobs are on the dir: printer.
void WaitPrinted(const std::string& printer_dir, int count) {
  absl::Time deadline = absl::Now() + absl::Minutes(1);
  while (absl::Now() < deadline) {
    std::error_code ec;
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(printer_dir, ec)) {
      n += entry.path().filename().string()[0] != '.';
    }
    if (n >= count) return;
    absl::SleepFor(absl::Milliseconds(50));
  }
}

// The LPD small-job load on one stack, run again and again: job numbers go
// on from the last run (the same numbers again would be taken for
// retries), and each run waits until its jobs are printed so that the next
// load never shares the machine with this one's printing.
class SmallJobLoad {
 public:
  SmallJobLoad(const Stack& stack, std::string printer_dir)
      : stack_(stack), printer_dir_(std::move(printer_dir)) {}

  bench::SmallJobsResult Run(const std::string& label) {
    int jobs = absl::GetFlag(FLAGS_jobs), connections = absl::GetFlag(FLAGS_connections);
    auto result = bench::RunSmallJobs(stack_.lpd_port, "bench", jobs, connections, 1024, next_number_);
    next_number_ += jobs;
    printed_ += result.jobs;
    std::cout << "  " << label << ": " << bench::Describe(result, 1024, connections) << "\n";
    WaitPrinted(printer_dir_, printed_);
    return result;
  }

 private:
  const Stack& stack_;
  std::string printer_dir_;
  int next_number_ = 1;
  int printed_ = 0;
};

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// Holds `peers` idle LPD connections and as many idle FTP sessions.
std::vector<UniqueFd> OpenIdlePeers(const Stack& stack, int peers) {
  std::vector<UniqueFd> idle;
  for (int port : {stack.lpd_port, stack.ftp_port}) {
    for (int i = 0; i < peers; ++i) {
      int fd = testing::ConnectLoopback(port, absl::Seconds(20));
      if (fd < 0) break;
      idle.emplace_back(fd);
    }
  }
  absl::SleepFor(absl::Seconds(2));  // every connection accepted and greeted
  return idle;
}

// The LPD load with and without --idle_peers + --idle_peers idle
// connections, in alternating rounds on one stack: one run on this VM
// differs from the next by up to 30 %, so medians are compared.
void IdlePeers(const Stack& stack, SmallJobLoad& load) {
  int peers = absl::GetFlag(FLAGS_idle_peers), rounds = absl::GetFlag(FLAGS_rounds);
  if (peers == 0) return;
  if (RaiseOpenFileLimit(2 * peers + 256) < static_cast<uint64_t>(2 * peers + 256)) {
    std::cout << "idle peers: the open file limit is too low, skipped\n";
    return;
  }
  std::vector<double> p99_without, p99_with, rate_without, rate_with;
  for (int round = 1; round <= rounds; ++round) {
    auto without = load.Run(absl::StrCat("round ", round, ", no idle connections"));
    std::vector<UniqueFd> idle = OpenIdlePeers(stack, peers);
    if (round == 1) {
      std::cout << absl::StrFormat("  %d idle connections held: lpd-gateway RSS %d MiB, ftp-gateway %d MiB\n",
                                   idle.size(), testing::PeakRssKib(stack.lpd->pid()) / 1024,
                                   testing::PeakRssKib(stack.ftp->pid()) / 1024);
    }
    auto with = load.Run(absl::StrCat("round ", round, ", ", idle.size(), " idle connections"));
    idle.clear();
    absl::SleepFor(absl::Seconds(1));  // the gateways see the hang-ups
    p99_without.push_back(without.ack_p99_ms);
    p99_with.push_back(with.ack_p99_ms);
    rate_without.push_back(without.jobs_per_second());
    rate_with.push_back(with.jobs_per_second());
  }
  double base = Median(p99_without), held = Median(p99_with);
  std::cout << absl::StrFormat(
      "idle connections, median of %d rounds: ack p99 %.1f ms without, %.1f ms with (%+.0f%%); "
      "%.0f jobs/s without, %.0f with\n",
      rounds, base, held, base > 0 ? 100 * (held - base) / base : 0, Median(rate_without),
      Median(rate_with));
}

// The LPD load on the empty spooler and on the full one, in alternating
// rounds while both stacks run, so that both see the same machine.
void CompareWithEmpty(SmallJobLoad& empty, SmallJobLoad& full, int pending) {
  std::vector<double> empty_rates, full_rates;
  for (int round = 1; round <= absl::GetFlag(FLAGS_rounds); ++round) {
    empty_rates.push_back(empty.Run(absl::StrCat("round ", round, ", empty spooler")).jobs_per_second());
    full_rates.push_back(
        full.Run(absl::StrCat("round ", round, ", beside ", pending, " pending jobs")).jobs_per_second());
  }
  double e = Median(empty_rates), f = Median(full_rates);
  std::cout << absl::StrFormat(
      "small-job rate beside %d pending jobs, median of %d rounds: %.0f jobs/s against %.0f on the "
      "empty spooler: %.0f%%\n",
      pending, empty_rates.size(), f, e, e > 0 ? 100 * f / e : 0);
}

int Run() {
  testing::TempDir empty_dir;
  Stack empty;
  if (!StartStack(empty_dir, empty)) return 1;
  std::cout << absl::StrFormat("empty spooler: start-up to serving %.0f ms\n", empty.start_ms);
  SmallJobLoad empty_load(empty, empty_dir.Sub("printer"));
  IdlePeers(empty, empty_load);

  testing::TempDir dir;
  int pending = absl::GetFlag(FLAGS_pending), history = absl::GetFlag(FLAGS_history);
  absl::Time fill_start = absl::Now();
  if (auto s = Fill(dir.Sub("data"), pending, history); !s.ok()) {
    std::cerr << "fill: " << s << "\n";
    return 1;
  }
  std::cout << absl::StrFormat("filled %d pending + %d finished jobs through the store in %.1f s\n",
                               pending, history, absl::ToDoubleSeconds(absl::Now() - fill_start));
  Stack stack;
  if (!StartStack(dir, stack)) return 1;
  std::cout << absl::StrFormat("start-up to serving: %.0f ms; spooler RSS %d MiB\n", stack.start_ms,
                               testing::PeakRssKib(stack.spooler->pid()) / 1024);
  // Where the start-up went, as the spooler logs it.
  std::istringstream log(testing::ReadFile(dir.Sub("spooler.log")));
  for (std::string line; std::getline(log, line);) {
    if (absl::StrContains(line, "recovered") || absl::StrContains(line, "loaded")) {
      std::cout << "  " << line << "\n";
    }
  }
  Lpq(stack.lpd_port, 3, "big");
  Lpq(stack.lpd_port, 4, "big");
  ListJobsPage(stack.spooler->address());
  FtpList(stack.ftp_port);
  SmallJobLoad full_load(stack, dir.Sub("printer"));
  CompareWithEmpty(empty_load, full_load, pending);
  // Once more after a clean stop: the store as a running spooler leaves it.
  stack.spooler->Terminate(absl::Seconds(30));
  absl::Time restart = absl::Now();
  if (!stack.spooler->Start()) return 1;
  std::cout << absl::StrFormat("restart after a clean stop, to serving: %.0f ms\n",
                               Ms(absl::Now() - restart));
  return 0;
}

}  // namespace
}  // namespace spoolgate

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return spoolgate::Run();
}
