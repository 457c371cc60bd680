// Printers as they really behave, with the real spooler, printer-agent,
// lpd-gateway and spoolctl: a simulated AppSocket printer that stops reading
// (out of paper, jammed) longer than the write timeout and the lease is
// reported stalled everywhere people look, keeps its job and its attempt
// count, and prints it exactly once when it reads again; another printer of
// the same queue keeps printing meanwhile.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "lib/base/sha256.h"
#include "tests/testing/e2e_helpers.h"
#include "tests/testing/socket_sink.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::BinaryPath;
using ::spoolgate::testing::ReadFile;
using ::spoolgate::testing::RunCommand;
using ::spoolgate::testing::SocketSink;
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::Subprocess;
using ::spoolgate::testing::TempDir;
using ::testing::HasSubstr;

std::string WriteData(const std::string& path, size_t size) {
  std::string data(size, '\0');
  uint64_t x = 0x243F6A8885A308D3ull ^ size;
  for (auto& c : data) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    c = static_cast<char>(x);
  }
  std::ofstream(path, std::ios::binary) << data;
  return Sha256::Of(data);
}

class PrinterStatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A short lease: a stall outlasts it many times over.
    spooler_ = std::make_unique<SpoolerProcess>(
        dir_.Sub("data"), dir_.Sub("spooler.log"),
        std::vector<std::string>{"--queues=office", "--retry_backoff_seconds=1",
                                 "--lease_seconds=6", "--min_free_disk_bytes=0"});
    ASSERT_TRUE(spooler_->Start()) << ReadFile(dir_.Sub("spooler.log"));
    std::string ready = dir_.Sub("lpd.ready");
    lpd_ = std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/lpd-gateway/lpd-gateway"),
                                 "--spooler=" + spooler_->address(), "--listen=127.0.0.1:0",
                                 "--metrics_listen=", "--ready_file=" + ready},
        dir_.Sub("lpd.log"));
    std::istringstream(testing::WaitForFile(ready, absl::Seconds(20))) >> lpd_port_;
    ASSERT_GT(lpd_port_, 0);
    std::string ftp_ready = dir_.Sub("ftp.ready");
    ftp_ = std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/ftp-gateway/ftp-gateway"),
                                 "--spooler=" + spooler_->address(), "--listen=127.0.0.1:0",
                                 "--metrics_listen=", "--ready_file=" + ftp_ready},
        dir_.Sub("ftp.log"));
    std::istringstream(testing::WaitForFile(ftp_ready, absl::Seconds(20))) >> ftp_port_;
    ASSERT_GT(ftp_port_, 0);
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "--- spooler log\n" << ReadFile(dir_.Sub("spooler.log"));
      for (const auto& id : agents_) {
        std::cerr << "--- agent " << id << " log\n" << ReadFile(dir_.Sub(id + ".log"));
      }
    }
  }

  // An agent whose one printer `ID-p` writes to the sink; a device that
  // takes nothing for 2 s is stalled.
  std::unique_ptr<Subprocess> StartAgent(const std::string& id, const SocketSink& sink) {
    agents_.push_back(id);
    return std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/printer-agent/printer-agent"),
                                 "--spooler=" + spooler_->address(), "--agent_id=" + id,
                                 absl::StrCat("--printer=", id, "-p=office=socket://127.0.0.1:",
                                              sink.port()),
                                 "--metrics_listen=", "--write_timeout_seconds=2"},
        dir_.Sub(id + ".log"));
  }

  testing::CommandResult Spoolctl(std::vector<std::string> args) {
    return testing::RunSpoolctl(spooler_->address(), std::move(args));
  }

  uint64_t Print(const std::string& path) {
    uint64_t id = testing::PrintFile(spooler_->address(), path, "office");
    EXPECT_NE(id, 0u) << path;
    return id;
  }

  // "state" and "attempts" of a job, from spoolctl's JSON.
  std::string JobField(uint64_t id, const std::string& field) {
    std::string out = Spoolctl({"job", std::to_string(id), "--json"}).out;
    std::string key = "\"" + field + "\":";
    auto at = out.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    auto end = out.find_first_of(",}", at);
    std::string value = out.substr(at, end - at);
    return std::string(absl::StripSuffix(absl::StripPrefix(value, "\""), "\""));
  }

  // The short queue state (RFC 1179 \3) as a real lpq gets it.
  std::string Lpq() { return Exchange(lpd_port_, "\003office\n"); }

  // An FTP session: log in, send `commands`, return everything the server said.
  std::string Ftp(const std::vector<std::string>& commands) {
    std::string script = "USER alice\r\nPASS x\r\n";
    for (const auto& c : commands) script += c + "\r\n";
    return Exchange(ftp_port_, script + "QUIT\r\n");
  }

  // Sends `request` and reads until the server closes.
  static std::string Exchange(int port, const std::string& request) {
    int fd = testing::ConnectLoopback(port);
    std::string out;
    if (fd >= 0 && ::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = ::read(fd, buffer, sizeof(buffer))) > 0;) out.append(buffer, n);
    }
    if (fd >= 0) ::close(fd);
    return out;
  }

  std::string Metrics() {
    return RunCommand({"curl", "-s", absl::StrCat("http://127.0.0.1:", spooler_->metrics_port(),
                                                  "/metrics")},
                      absl::Seconds(30))
        .out;
  }

  bool WaitFor(const std::function<bool()>& done, absl::Duration limit) {
    return testing::WaitUntil(done, limit);
  }

  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
  std::unique_ptr<Subprocess> lpd_, ftp_;
  int lpd_port_ = 0, ftp_port_ = 0;
  std::vector<std::string> agents_;
};

TEST_F(PrinterStatesTest, StalledPrinterKeepsItsJobAndPrintsItOnceWhenItReadsAgain) {
  SocketSink printer;
  auto agent = StartAgent("a1", printer);
  std::string path = dir_.Sub("big");
  std::string sha = WriteData(path, 48 << 20);  // far more than the socket buffers
  uint64_t id = Print(path);
  ASSERT_TRUE(WaitFor([&] { return printer.bytes_in_progress() > (4 << 20); }, absl::Seconds(60)));
  printer.set_paused(true);  // out of paper: the printer stops reading
  absl::Time stalled_at = absl::Now();
  const int connections = printer.connections();  // the agent's probe counts too

  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("stalled") != std::string::npos; },
                      absl::Seconds(20)))
      << Spoolctl({"printers"}).out;
  EXPECT_THAT(Spoolctl({"printers"}).out, HasSubstr("takes no data"));
  EXPECT_THAT(Lpq(), HasSubstr("printer a1/a1-p is stalled since"));
  EXPECT_THAT(Ftp({"STAT office"}), HasSubstr("stalled since"));
  EXPECT_THAT(RunCommand({"curl", "-s", absl::StrCat("ftp://u:p@127.0.0.1:", ftp_port_, "/")},
                         absl::Seconds(30)).out,
              HasSubstr("accepting stalled"));  // the root listing's group column
  ASSERT_TRUE(WaitFor([&] {
    return Metrics().find("spoolgate_printer_state{printer=\"a1/a1-p\",state=\"stalled\"} 1") !=
           std::string::npos;
  }, absl::Seconds(10))) << Metrics();

  // Stay stalled for far longer than the write timeout (2 s) and the lease (6 s).
  absl::SleepFor(absl::Seconds(15) - (absl::Now() - stalled_at));
  EXPECT_EQ(JobField(id, "state"), "JOB_STATE_PRINTING");
  EXPECT_EQ(JobField(id, "attempts"), "1");
  EXPECT_EQ(printer.connections(), connections);

  printer.set_paused(false);
  ASSERT_TRUE(WaitFor([&] { return JobField(id, "state") == "JOB_STATE_COMPLETED"; },
                      absl::Seconds(60)));
  ASSERT_TRUE(WaitFor([&] { return printer.jobs().size() == 1; }, absl::Seconds(10)));
  EXPECT_EQ(printer.connections(), connections);  // never cut off and sent again
  EXPECT_EQ(Sha256::Of(printer.jobs()[0]), sha);
  EXPECT_EQ(JobField(id, "attempts"), "1");
  // The agent says the printer is idle once it has no next job.
  EXPECT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("idle") != std::string::npos; },
                      absl::Seconds(10)))
      << Spoolctl({"printers"}).out;
}

TEST_F(PrinterStatesTest, TheQueuesOtherPrinterKeepsPrintingWhileOneIsStalled) {
  SocketSink stuck, fine;
  stuck.set_paused(true);  // reads nothing from the start
  auto agent1 = StartAgent("a1", stuck);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("a1-p") != std::string::npos; },
                      absl::Seconds(20)));
  std::string big = dir_.Sub("big");
  std::string big_sha = WriteData(big, 24 << 20);
  uint64_t first = Print(big);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("stalled") != std::string::npos; },
                      absl::Seconds(30)));

  auto agent2 = StartAgent("a2", fine);
  std::vector<std::pair<uint64_t, std::string>> small;
  for (int i = 0; i < 3; ++i) {
    std::string path = dir_.Sub(absl::StrCat("small", i));
    std::string sha = WriteData(path, 1000 + i);
    small.emplace_back(Print(path), sha);
  }
  for (const auto& [id, sha] : small) {
    ASSERT_TRUE(WaitFor([&] { return JobField(id, "state") == "JOB_STATE_COMPLETED"; },
                        absl::Seconds(30)))
        << "job " << id << " waited behind the stalled printer";
  }
  EXPECT_EQ(fine.jobs().size(), 3u);
  EXPECT_EQ(JobField(first, "state"), "JOB_STATE_PRINTING");

  stuck.set_paused(false);
  ASSERT_TRUE(WaitFor([&] { return JobField(first, "state") == "JOB_STATE_COMPLETED"; },
                      absl::Seconds(60)));
  ASSERT_TRUE(WaitFor([&] { return stuck.jobs().size() == 1; }, absl::Seconds(10)));
  EXPECT_EQ(Sha256::Of(stuck.jobs()[0]), big_sha);
  EXPECT_EQ(JobField(first, "attempts"), "1");
}

class ErrorPolicyTest : public PrinterStatesTest {
 protected:
  std::unique_ptr<Subprocess> StartAgentOnPort(const std::string& id, int port) {
    agents_.push_back(id);
    return std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/printer-agent/printer-agent"),
                                 "--spooler=" + spooler_->address(), "--agent_id=" + id,
                                 absl::StrCat("--printer=", id, "-p=office=socket://127.0.0.1:", port),
                                 "--metrics_listen=", "--write_timeout_seconds=2"},
        dir_.Sub(id + ".log"));
  }
  // Waits for the agent, then lets its probe find the printer: a printer
  // that refuses from the start is offline and is given no job, so the
  // first attempt needs a printer that accepted the probe and then fails.
  uint64_t PrintSmall(const std::string& name) {
    std::string path = dir_.Sub(name);
    WriteData(path, 5000);
    return Print(path);
  }
  void SetPolicy(std::vector<std::string> flags) {
    flags.insert(flags.begin(), {"queue", "set", "office"});
    auto r = Spoolctl(flags);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
};

// The printer is reachable when the agent starts (probe ok, idle) and gone
// when the job comes: each attempt is refused.
class VanishingPrinter {
 public:
  VanishingPrinter() : sink_(std::make_unique<SocketSink>()), port_(sink_->port()) {}
  int port() const { return port_; }
  void Vanish() { sink_.reset(); }
  SocketSink& Return() {
    sink_ = std::make_unique<SocketSink>(0, port_);
    return *sink_;
  }

 private:
  std::unique_ptr<SocketSink> sink_;
  int port_;
};

TEST_F(ErrorPolicyTest, AbortJobFailsTheJobAtOnce) {
  SetPolicy({"--error_policy=abort-job"});
  VanishingPrinter printer;
  auto agent = StartAgentOnPort("a1", printer.port());
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("idle") != std::string::npos; },
                      absl::Seconds(20)));
  printer.Vanish();
  uint64_t id = PrintSmall("abort");
  ASSERT_TRUE(WaitFor([&] { return JobField(id, "state") == "JOB_STATE_FAILED"; }, absl::Seconds(20)))
      << JobField(id, "state");
  EXPECT_EQ(JobField(id, "attempts"), "1");
  EXPECT_THAT(JobField(id, "last_error"), HasSubstr("abort-job"));
  EXPECT_THAT(Spoolctl({"queues"}).out, HasSubstr("abort-job"));
}

TEST_F(ErrorPolicyTest, RetryJobRetriesAtItsIntervalUpToItsLimit) {
  SetPolicy({"--error_policy=retry-job", "--retry_limit=2", "--retry_interval=1s"});
  EXPECT_THAT(Spoolctl({"queues"}).out, HasSubstr("retry-job (2 attempts, 1s apart)"));
  // A printer that answers its probe and resets every job: each attempt
  // fails, and the printer is ready again at the next probe.
  SocketSink printer;
  printer.set_reset_on_data(true);
  auto agent = StartAgent("a1", printer);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("idle") != std::string::npos; },
                      absl::Seconds(20)));
  uint64_t id = PrintSmall("retry");
  ASSERT_TRUE(WaitFor([&] { return JobField(id, "state") == "JOB_STATE_FAILED"; }, absl::Seconds(30)))
      << JobField(id, "state") << " after " << JobField(id, "attempts") << " attempts";
  EXPECT_EQ(JobField(id, "attempts"), "2");
  EXPECT_THAT(JobField(id, "last_error"), HasSubstr("gave up after 2 attempts"));
  EXPECT_TRUE(printer.jobs().empty());
}

TEST_F(ErrorPolicyTest, RetryCurrentJobWaitsForTheSamePrinter) {
  SetPolicy({"--error_policy=retry-current-job"});
  VanishingPrinter first;
  auto agent1 = StartAgentOnPort("a1", first.port());
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("idle") != std::string::npos; },
                      absl::Seconds(20)));
  first.Vanish();
  uint64_t id = PrintSmall("current");
  ASSERT_TRUE(WaitFor([&] { return JobField(id, "state") == "JOB_STATE_PENDING" &&
                                   JobField(id, "attempts") == "1"; },
                      absl::Seconds(20)));
  // Another printer of the queue is idle, but the job waits for its own.
  SocketSink other;
  auto agent2 = StartAgent("a2", other);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("a2-p") != std::string::npos; },
                      absl::Seconds(20)));
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(JobField(id, "state"), "JOB_STATE_PENDING");
  EXPECT_EQ(JobField(id, "retry_on_printer"), "a1/a1-p");
  EXPECT_TRUE(other.jobs().empty());
  SocketSink& back = first.Return();
  ASSERT_TRUE(WaitFor([&] { return JobField(id, "state") == "JOB_STATE_COMPLETED"; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return back.jobs().size() == 1; }, absl::Seconds(10)));
  EXPECT_TRUE(other.jobs().empty());
}

TEST_F(ErrorPolicyTest, StopPrinterStopsItAndTheJobWaitsAtTheHeadOfTheQueue) {
  SetPolicy({"--error_policy=stop-printer"});
  VanishingPrinter printer;
  auto agent = StartAgentOnPort("a1", printer.port());
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("idle") != std::string::npos; },
                      absl::Seconds(20)));
  printer.Vanish();
  uint64_t id = PrintSmall("stop");
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("stopped") != std::string::npos; },
                      absl::Seconds(20)))
      << Spoolctl({"printers"}).out;
  EXPECT_THAT(Spoolctl({"printers"}).out, HasSubstr("stopped by error policy"));
  EXPECT_EQ(JobField(id, "state"), "JOB_STATE_PENDING");
  uint64_t later = PrintSmall("later");
  // The printer answers again, but stays stopped until an admin starts it.
  SocketSink& back = printer.Return();
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(JobField(id, "state"), "JOB_STATE_PENDING");
  EXPECT_TRUE(back.jobs().empty());
  // Stopped survives a restart of the spooler.
  ASSERT_EQ(spooler_->Terminate(absl::Seconds(20)), 0);
  ASSERT_TRUE(spooler_->Start());
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("a1-p") != std::string::npos; },
                      absl::Seconds(30)));
  EXPECT_THAT(Spoolctl({"printers"}).out, HasSubstr("stopped"));
  auto started = Spoolctl({"printer", "start", "a1-p"});
  EXPECT_EQ(started.exit_code, 0) << started.out;
  ASSERT_TRUE(WaitFor([&] { return JobField(later, "state") == "JOB_STATE_COMPLETED"; },
                      absl::Seconds(30)));
  EXPECT_EQ(JobField(id, "state"), "JOB_STATE_COMPLETED");
  ASSERT_TRUE(WaitFor([&] { return back.jobs().size() == 2; }, absl::Seconds(10)));
  // The job that met the error went first: it kept the head of the queue.
  EXPECT_EQ(back.jobs()[0].size(), 5000u);
}

TEST_F(ErrorPolicyTest, AnAdminStopsAndStartsAPrinter) {
  SocketSink sink;
  auto agent = StartAgent("a1", sink);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("idle") != std::string::npos; },
                      absl::Seconds(20)));
  auto stopped = Spoolctl({"printer", "stop", "a1/a1-p", "--reason=toner change"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out;
  EXPECT_THAT(Spoolctl({"printers"}).out, HasSubstr("toner change"));
  EXPECT_THAT(Lpq(), HasSubstr("a1/a1-p is stopped since"));
  uint64_t id = PrintSmall("waits");
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(JobField(id, "state"), "JOB_STATE_PENDING");
  EXPECT_EQ(Spoolctl({"printer", "stop", "nosuch"}).exit_code, 1);
  ASSERT_EQ(Spoolctl({"printer", "start", "a1/a1-p"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return JobField(id, "state") == "JOB_STATE_COMPLETED"; }, absl::Seconds(20)));
}

// SIGHUP: the agent reads its printers again; one is added and prints while
// the other is in the middle of a job, which completes undisturbed; a
// removed printer disappears from the spooler.
TEST_F(PrinterStatesTest, SighupAddsAndRemovesPrintersWhileAnotherPrints) {
  ASSERT_EQ(Spoolctl({"queue", "add", "lab"}).exit_code, 0);
  SocketSink slow(64 << 10);  // ~6 MB/s
  std::string config = dir_.Sub("agent.yaml");
  auto write_config = [&](bool with_lab) {
    std::ofstream out(config);
    out << "printers:\n"
        << "  - {name: p1, queue: office, uri: 'socket://127.0.0.1:" << slow.port() << "'}\n";
    if (with_lab) out << "  - {name: p2, queue: lab, uri: 'dir:" << dir_.Sub("lab-out") << "'}\n";
  };
  write_config(false);
  agents_.push_back("hup");
  Subprocess agent({BinaryPath("services/printer-agent/printer-agent"),
                    "--spooler=" + spooler_->address(), "--agent_id=hup", "--config=" + config,
                    "--metrics_listen=", "--write_timeout_seconds=5"},
                   dir_.Sub("hup.log"));
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("p1") != std::string::npos; },
                      absl::Seconds(20)));
  std::string big = dir_.Sub("big");
  std::string big_sha = WriteData(big, 24 << 20);  // ~4 s at this printer's pace
  uint64_t first = Print(big);
  ASSERT_TRUE(WaitFor([&] { return slow.bytes_in_progress() > (1 << 20); }, absl::Seconds(30)));
  const int connections = slow.connections();

  write_config(true);
  agent.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("p2") != std::string::npos; },
                      absl::Seconds(20)))
      << ReadFile(dir_.Sub("hup.log"));
  std::string small = dir_.Sub("for-lab");
  std::string small_sha = WriteData(small, 3000);
  auto printed = Spoolctl({"print", small, "--queue=lab"});
  ASSERT_EQ(printed.exit_code, 0) << printed.out;
  uint64_t second = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(printed.out), &second));
  ASSERT_TRUE(WaitFor([&] { return JobField(second, "state") == "JOB_STATE_COMPLETED"; },
                      absl::Seconds(20)));
  EXPECT_EQ(JobField(first, "state"), "JOB_STATE_PRINTING");  // still going, on p1
  EXPECT_EQ(Sha256::Of(ReadFile(dir_.Sub("lab-out") + "/" + std::to_string(second))), small_sha);

  ASSERT_TRUE(WaitFor([&] { return JobField(first, "state") == "JOB_STATE_COMPLETED"; },
                      absl::Seconds(60)));
  ASSERT_TRUE(WaitFor([&] { return slow.jobs().size() == 1; }, absl::Seconds(10)));
  EXPECT_EQ(Sha256::Of(slow.jobs()[0]), big_sha);
  EXPECT_EQ(slow.connections(), connections);  // undisturbed: one connection
  EXPECT_EQ(JobField(first, "attempts"), "1");

  write_config(false);
  agent.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("p2") == std::string::npos; },
                      absl::Seconds(20)));
  EXPECT_THAT(Spoolctl({"printers"}).out, HasSubstr("p1"));
}

}  // namespace
}  // namespace spoolgate
