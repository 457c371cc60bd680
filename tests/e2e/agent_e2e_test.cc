// The real spooler, printer-agent and spoolctl together: bytes arrive on the
// device identical, a killed agent's job prints again in full, a printer
// whose device refuses waits in error and prints when the device is back,
// cancel stops the writes, and two agents share a queue.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
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

std::string WriteTestFile(const std::string& path, uint64_t size) {
  std::ofstream out(path, std::ios::binary);
  Sha256 sha;
  std::string block(1 << 20, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull ^ size;
  for (uint64_t done = 0; done < size;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(block.size(), size - done));
    for (size_t i = 0; i < n; ++i) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      block[i] = static_cast<char>(x);
    }
    out.write(block.data(), static_cast<std::streamsize>(n));
    sha.Update(absl::string_view(block.data(), n));
    done += n;
  }
  return sha.HexDigest();
}

std::string FileSha(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Sha256 sha;
  std::string buffer(1 << 20, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sha.Update(absl::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  return sha.HexDigest();
}

class AgentE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spooler_ = std::make_unique<SpoolerProcess>(
        dir_.Sub("data"), dir_.Sub("spooler.log"),
        std::vector<std::string>{"--queues=office", "--retry_backoff_seconds=1"});
    ASSERT_TRUE(spooler_->Start()) << ReadFile(dir_.Sub("spooler.log"));
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "--- spooler log\n" << ReadFile(dir_.Sub("spooler.log"));
      std::cerr << "--- agent log\n" << ReadFile(dir_.Sub("agent.log"));
    }
  }

  std::unique_ptr<Subprocess> StartAgent(const std::string& id, const std::string& uri) {
    return std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/printer-agent/printer-agent"),
                                 "--spooler=" + spooler_->address(), "--agent_id=" + id,
                                 "--printer=" + id + "-p=office=" + uri, "--metrics_listen=",
                                 "--write_timeout_seconds=5"},
        dir_.Sub("agent.log"));
  }

  testing::CommandResult Spoolctl(std::vector<std::string> args) {
    return testing::RunSpoolctl(spooler_->address(), std::move(args));
  }

  uint64_t Print(const std::string& path) {
    uint64_t id = testing::PrintFile(spooler_->address(), path, "office");
    EXPECT_NE(id, 0u) << path;
    return id;
  }

  std::string JobState(uint64_t id) {
    auto out = Spoolctl({"jobs", "--all", "--json"}).out;
    std::string key = absl::StrCat("{\"id\":\"", id, "\"");
    auto at = out.find(key);
    if (at == std::string::npos) return "";
    auto state = out.find("\"state\":\"", at);
    auto end = out.find('"', state + 9);
    return out.substr(state + 9, end - state - 9);
  }

  bool WaitFor(const std::function<bool()>& done, absl::Duration limit) {
    return testing::WaitUntil(done, limit);
  }

  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
};

TEST_F(AgentE2eTest, BytesOnTheDirDeviceAreIdentical) {
  std::string out = dir_.Sub("printer");
  auto agent = StartAgent("a1", "dir:" + out);
  for (uint64_t size : {uint64_t{0}, uint64_t{1024}, uint64_t{200} << 20}) {
    std::string path = dir_.Sub(absl::StrCat("in", size));
    std::string sha = WriteTestFile(path, size);
    uint64_t id = Print(path);
    ASSERT_NE(id, 0u);
    std::string printed = absl::StrCat(out, "/", id);
    ASSERT_TRUE(WaitFor([&] { return JobState(id) == "JOB_STATE_COMPLETED"; }, absl::Minutes(2)))
        << "job " << id << " is " << JobState(id);
    EXPECT_EQ(std::filesystem::file_size(printed), size);
    EXPECT_EQ(FileSha(printed), sha) << "size " << size;
  }
  auto printers = Spoolctl({"printers"});
  EXPECT_THAT(printers.out, ::testing::HasSubstr("a1-p"));
  EXPECT_THAT(printers.out, ::testing::HasSubstr("idle"));
}

TEST_F(AgentE2eTest, KilledAgentsJobIsPrintedAgainInFull) {
  SocketSink slow(64 << 10);  // ~6 MB/s
  auto first = StartAgent("doomed", absl::StrCat("socket://127.0.0.1:", slow.port()));
  std::string path = dir_.Sub("big");
  std::string sha = WriteTestFile(path, 64 << 20);
  uint64_t id = Print(path);
  ASSERT_TRUE(WaitFor([&] { return slow.bytes_in_progress() > (2 << 20); }, absl::Minutes(1)));
  first->Signal(SIGKILL);
  first->Wait(absl::Seconds(10));
  ASSERT_TRUE(WaitFor([&] { return JobState(id) == "JOB_STATE_PENDING"; }, absl::Seconds(30)))
      << JobState(id);
  std::string out = dir_.Sub("printer");
  auto second = StartAgent("rescuer", "dir:" + out);
  ASSERT_TRUE(WaitFor([&] { return JobState(id) == "JOB_STATE_COMPLETED"; }, absl::Minutes(2)))
      << JobState(id);
  EXPECT_EQ(FileSha(absl::StrCat(out, "/", id)), sha);
  auto json = Spoolctl({"jobs", "--all", "--json"}).out;
  EXPECT_THAT(json, ::testing::HasSubstr("\"attempts\":2"));
}

TEST_F(AgentE2eTest, RefusingSocketDeviceWaitsInErrorThenPrints) {
  int port;
  { SocketSink probe; port = probe.port(); }  // a port nobody listens on now
  auto agent = StartAgent("a1", absl::StrCat("socket://127.0.0.1:", port));
  std::string path = dir_.Sub("wait");
  std::string sha = WriteTestFile(path, 300000);
  uint64_t id = Print(path);
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("offline") != std::string::npos; },
                      absl::Seconds(20)));
  EXPECT_THAT(Spoolctl({"printers"}).out, ::testing::HasSubstr("Connection refused"));
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(JobState(id), "JOB_STATE_PENDING");
  SocketSink printer(0, port);
  ASSERT_TRUE(WaitFor([&] { return JobState(id) == "JOB_STATE_COMPLETED"; }, absl::Seconds(60)))
      << JobState(id);
  ASSERT_TRUE(WaitFor([&] { return printer.jobs().size() == 1; }, absl::Seconds(10)));
  EXPECT_EQ(Sha256::Of(printer.jobs()[0]), sha);
}

TEST_F(AgentE2eTest, CancelWhilePrintingStopsTheWrites) {
  SocketSink slow(32 << 10);  // ~3 MB/s
  auto agent = StartAgent("a1", absl::StrCat("socket://127.0.0.1:", slow.port()));
  std::string path = dir_.Sub("long");
  WriteTestFile(path, 64 << 20);
  uint64_t id = Print(path);
  ASSERT_TRUE(WaitFor([&] { return slow.bytes_in_progress() > (1 << 20); }, absl::Minutes(1)));
  EXPECT_EQ(Spoolctl({"cancel", std::to_string(id)}).exit_code, 0);
  EXPECT_EQ(JobState(id), "JOB_STATE_CANCELLED");
  // The connection is dropped long before 64 MiB went through.
  ASSERT_TRUE(WaitFor([&] { return !slow.jobs().empty(); }, absl::Seconds(30)));
  EXPECT_LT(slow.jobs()[0].size(), size_t{64} << 20);
  // The printer takes the next job.
  std::string small = dir_.Sub("small");
  std::string sha = WriteTestFile(small, 1000);
  uint64_t next = Print(small);
  ASSERT_TRUE(WaitFor([&] { return JobState(next) == "JOB_STATE_COMPLETED"; }, absl::Seconds(60)));
  EXPECT_EQ(Sha256::Of(slow.jobs().back()), sha);
}

// Copies and a banner page make the device get more bytes than the job
// has; progress still counts document bytes and ends at 100 %, and the live
// view keeps drawing whatever numbers it is sent.
TEST_F(AgentE2eTest, WatchShowsProgressOfCopiesAndBannerUpToOneHundredPercent) {
  ASSERT_EQ(Spoolctl({"queue", "set", "office", "--banners"}).exit_code, 0);
  SocketSink slow(64 << 10);  // ~6 MB/s: about 2 s for the three copies
  auto agent = StartAgent("a1", absl::StrCat("socket://127.0.0.1:", slow.port()));
  std::string path = dir_.Sub("copies");
  WriteTestFile(path, 4 << 20);
  auto printed = Spoolctl({"print", path, "--queue=office", "--copies=3", "--banner"});
  ASSERT_EQ(printed.exit_code, 0) << printed.out;
  uint64_t id = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(printed.out), &id)) << printed.out;
  ASSERT_TRUE(WaitFor([&] { return JobState(id) == "JOB_STATE_PRINTING"; }, absl::Seconds(30)));
  auto watch = Spoolctl({"watch", "--iterations=15", "--interval_seconds=0.3"});
  EXPECT_EQ(watch.exit_code, 0) << watch.out;
  EXPECT_THAT(watch.out, ::testing::HasSubstr("%"));
  int most = -1;
  for (size_t at = watch.out.find('%'); at != std::string::npos; at = watch.out.find('%', at + 1)) {
    size_t start = watch.out.find_last_of(' ', at);
    int percent = 0;
    if (start != std::string::npos &&
        absl::SimpleAtoi(watch.out.substr(start + 1, at - start - 1), &percent)) {
      EXPECT_LE(percent, 100);
      most = std::max(most, percent);
    }
  }
  EXPECT_GT(most, 0) << watch.out;
  ASSERT_TRUE(WaitFor([&] { return JobState(id) == "JOB_STATE_COMPLETED"; }, absl::Seconds(60)));
  ASSERT_TRUE(WaitFor([&] { return slow.jobs().size() == 1; }, absl::Seconds(10)));
  EXPECT_GT(slow.jobs()[0].size(), size_t{3} * (4 << 20));  // banner + three copies
  EXPECT_THAT(Spoolctl({"job", std::to_string(id), "--json"}).out,
              ::testing::HasSubstr("\"progress\":1"));
}

TEST_F(AgentE2eTest, TwoAgentsShareOneQueue) {
  SocketSink sink_a(8 << 10), sink_b(8 << 10);  // slow enough that both get work
  auto a = StartAgent("a", absl::StrCat("socket://127.0.0.1:", sink_a.port()));
  auto b = StartAgent("b", absl::StrCat("socket://127.0.0.1:", sink_b.port()));
  ASSERT_TRUE(WaitFor([&] { return Spoolctl({"printers"}).out.find("b-p") != std::string::npos &&
                                   Spoolctl({"printers"}).out.find("a-p") != std::string::npos; },
                      absl::Seconds(20)));
  std::vector<uint64_t> ids;
  for (int i = 0; i < 6; ++i) {
    std::string path = dir_.Sub(absl::StrCat("share", i));
    WriteTestFile(path, 50000);
    ids.push_back(Print(path));
  }
  ASSERT_TRUE(WaitFor([&] {
    for (auto id : ids) if (JobState(id) != "JOB_STATE_COMPLETED") return false;
    return true;
  }, absl::Minutes(2)));
  ASSERT_TRUE(WaitFor([&] { return sink_a.jobs().size() + sink_b.jobs().size() == 6; },
                      absl::Seconds(10)));
  EXPECT_GE(sink_a.jobs().size(), 1u);
  EXPECT_GE(sink_b.jobs().size(), 1u);
}

// The agent dials out and must find its way back by itself: started before
// the spooler listens, and again after the spooler is killed and restarted.
TEST(AgentReconnectTest, AgentAttachesWheneverTheSpoolerComesBack) {
  TempDir dir;
  int port;
  { SocketSink probe; port = probe.port(); }
  std::string listen = absl::StrCat("--listen=127.0.0.1:", port);
  std::string out = dir.Sub("printer");
  Subprocess agent({BinaryPath("services/printer-agent/printer-agent"),
                    absl::StrCat("--spooler=127.0.0.1:", port), "--printer=p=office=dir:" + out,
                    "--metrics_listen="},
                   dir.Sub("agent.log"));
  absl::SleepFor(absl::Seconds(1));  // the agent is already retrying
  SpoolerProcess spooler(dir.Sub("data"), dir.Sub("spooler.log"), {"--queues=office", listen});
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(spooler.Start()) << ReadFile(dir.Sub("spooler.log"));
    std::string path = dir.Sub(absl::StrCat("job", round));
    std::string sha = WriteTestFile(path, 100000);
    auto printed = RunCommand({BinaryPath("tools/spoolctl/spoolctl"), "--spooler=" + spooler.address(),
                               "print", path, "--queue=office"}, absl::Minutes(1));
    uint64_t id = 0;
    ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(printed.out), &id));
    std::string file = absl::StrCat(out, "/", id);
    absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (!std::filesystem::exists(file) && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(std::filesystem::exists(file)) << ReadFile(dir.Sub("agent.log"));
    EXPECT_EQ(FileSha(file), sha);
    spooler.Kill9();
  }
}

}  // namespace
}  // namespace spoolgate
