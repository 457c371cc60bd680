// A catalogue of hostile and broken LPD input against the real gateway and
// spooler. Each case sends its bytes on one connection, while another
// client prints a whole job; then it checks the exact bytes the gateway
// answered (until it closed the connection) and that nothing of the hostile
// connection was queued.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/base/unique_fd.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tests/testing/e2e_helpers.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::BinaryPath;
using ::spoolgate::testing::ConnectLoopback;
using ::spoolgate::testing::ReadFile;
using ::spoolgate::testing::ReadUntilClosed;
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::Subprocess;
using ::spoolgate::testing::TempDir;
using ::spoolgate::testing::WaitForFile;

const std::string kNul(1, '\0');

// A control file for a job whose data file is `data_file`.
std::string Control(const std::string& data_file) {
  return absl::StrCat("Hhostile\nPmallory\nl", data_file, "\n");
}

struct HostileCase {
  const char* name;
  std::vector<std::string> steps;  // sent in order, a short pause between
  std::string reply;               // everything the gateway answers before it closes
  bool reset = false;              // end with a reset instead of waiting for the gateway
};

// What a well-behaved job on its own connection gets: five \0 octets.
constexpr char kGoodJobAcks[] = "\0\0\0\0\0";

std::vector<HostileCase> Catalogue() {
  std::string cf = Control("dfA001hostile");
  std::string cf_cmd = absl::StrCat("\002", cf.size(), " cfA001hostile\n");
  return {
      {"unknown daemon command", {"\007office\n"}, ""},
      {"empty line", {"\n"}, ""},
      {"daemon command without a queue", {"\002\n"}, ""},
      {"NUL in the queue name", {"\002off" + kNul + "ice\n"}, "\001no queue 'off" + kNul + "ice'\n"},
      {"path traversal in the queue name", {"\002../../etc/passwd\n"},
       "\001no queue '../../etc/passwd'\n"},
      {"queue name of 2,000 bytes", {"\002" + std::string(2000, 'q') + "\n"}, ""},
      {"line without its end, 1 MiB", {"\002" + std::string(1 << 20, 'q')}, ""},
      {"control byte in the queue name", {"\002off\033ice\n"}, "\001no queue 'off\033ice'\n"},
      {"negative count", {"\002office\n", "\002-5 cfA001hostile\n"},
       kNul + "\003bad byte count '-5'\n"},
      {"count with letters", {"\002office\n", "\002abc cfA001hostile\n"},
       kNul + "\003bad byte count 'abc'\n"},
      {"count past 64 bits", {"\002office\n", "\002999999999999999999999999 cfA001hostile\n"},
       kNul + "\003bad byte count '999999999999999999999999'\n"},
      {"control file over 64 KiB", {"\002office\n", "\00270000 cfA001hostile\n"},
       kNul + "\003control file of 70000 bytes\n"},
      {"subcommand without a name", {"\002office\n", "\00210\n"},
       kNul + "\003subcommand without a file name\n"},
      {"unknown subcommand", {"\002office\n", "\t10 cfA001hostile\n"},
       kNul + "\003unknown receive-job subcommand 9\n"},
      {"path traversal in the control file name",
       {"\002office\n", absl::StrCat("\002", cf.size(), " cfA001../../etc\n"), cf + kNul},
       kNul + "\003bad file name\n"},
      {"slash in the data file name",
       {"\002office\n", "\0035 dfA001/etc/x\n", "hello" + kNul}, kNul + "\003bad file name\n"},
      {"NUL in the data file name",
       {"\002office\n", "\0035 dfA001h" + kNul + "x\n", "hello" + kNul},
       kNul + "\003bad file name\n"},
      {"control file never ended", {"\002office\n", cf_cmd, cf.substr(0, 10)},
       std::string(2, '\0')},
      {"data cut short, then close", {"\002office\n", "\003100 dfA001hostile\n", "only ten b"},
       std::string(2, '\0')},
      {"data file without its terminator",
       {"\002office\n", "\0035 dfA001hostile\n", "helloX", cf_cmd, cf + kNul},
       std::string(2, '\0') + "\003file not followed by \\0\n"},
      {"control file without a print line",
       {"\002office\n", "\00212 cfA001hostile\n", "Hhostile\nPm\n" + kNul},
       std::string(2, '\0') + "\003commit of a job without documents\n"},
      {"control file naming a data file never sent", {"\002office\n", cf_cmd, cf + kNul},
       std::string(3, '\0')},
      {"10,000 tiny control lines",
       {"\002office\n", "\00230000 cfA001hostile\n", [] {
          std::string lines;
          for (int i = 0; i < 10000; ++i) lines += "N\n\n";
          return lines.substr(0, 30000) + kNul;
        }()},
       std::string(2, '\0') + "\003control file has no P (user) line\n"},
      {"abort then nothing", {"\002office\n", "\0035 dfA001hostile\n", "hello" + kNul, "\001\n"},
       std::string(3, '\0')},
      {"reset after the receive-job command", {"\002office\n"}, kNul, true},
      {"reset after the control file header", {"\002office\n", cf_cmd}, std::string(2, '\0'), true},
      {"reset in the middle of the data", {"\002office\n", "\0031000 dfA001hostile\n", "half"},
       std::string(2, '\0'), true},
      {"half-open: write side closed after the command", {"\002office\n"}, kNul},
      {"lpq of an unknown queue", {"\003nosuchqueue\n"}, "nosuchqueue: unknown printer\n"},
      {"lpq with NUL bytes in the list", {"\004office a" + kNul + "b\n"},
       "office is ready, no printer attached\nno entries\n"},
      {"lprm of an unknown queue", {"\005nosuchqueue root 1\n"},
       "nosuchqueue: no queue 'nosuchqueue'\n"},
      {"lprm without an agent", {"\005office\n"}, ""},
      {"lprm of 100 job numbers nobody has", {"\005office mallory" + [] {
          std::string ids;
          for (int i = 1; i <= 100; ++i) ids += absl::StrCat(" ", 100000 + i);
          return ids + "\n";
        }()},
       "office: no jobs of mallory to remove\n"},
      {"lprm line past the line limit (1,000 job numbers)", {"\005office mallory" + [] {
          std::string ids;
          for (int i = 1; i <= 1000; ++i) ids += absl::StrCat(" ", 100000 + i);
          return ids + "\n";
        }()},
       ""},
      {"print-waiting-jobs command for an unknown queue", {"\001nosuchqueue\n"}, ""},
      {"binary noise", {[] {
          std::string noise;
          for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 7919) & 0xff));
          return noise;
        }()},
       ""},
  };
}

class LpdHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spooler_ = std::make_unique<SpoolerProcess>(dir_.Sub("data"), dir_.Sub("spooler.log"),
                                                std::vector<std::string>{"--queues=office"});
    ASSERT_TRUE(spooler_->Start());
    std::string ready = dir_.Sub("lpd.ready");
    gateway_ = std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/lpd-gateway/lpd-gateway"),
                                 "--spooler=" + spooler_->address(), "--listen=127.0.0.1:0",
                                 "--metrics_listen=", "--idle_timeout_seconds=2",
                                 "--ready_file=" + ready},
        dir_.Sub("lpd.log"));
    std::istringstream in(WaitForFile(ready, absl::Seconds(20)));
    in >> port_;
    admin_ = v1::Admin::NewStub(
        grpc::CreateChannel(spooler_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << ReadFile(dir_.Sub("lpd.log")) << ReadFile(dir_.Sub("spooler.log"));
  }

  int QueuedJobs() {
    grpc::ClientContext context;
    v1::ListJobsRequest request;
    request.set_include_finished(true);
    v1::ListJobsResponse response;
    EXPECT_TRUE(admin_->ListJobs(&context, request, &response).ok());
    return response.jobs_size();
  }

  // A whole job on a connection of its own; the acks it got.
  std::string GoodJob(int number) {
    UniqueFd fd(ConnectLoopback(port_, absl::Seconds(10)));
    std::string df = absl::StrCat("dfA", 500 + number, "goodhost");
    std::string cf = absl::StrCat("Hgoodhost\nPalice\nl", df, "\n");
    std::string acks;
    auto step = [&](const std::string& bytes) {
      ::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      char c;
      if (::recv(fd.get(), &c, 1, 0) == 1) acks.push_back(c);
    };
    step("\002office\n");
    step(absl::StrCat("\002", cf.size(), " cfA", 500 + number, "goodhost\n"));
    step(cf + kNul);
    step(absl::StrCat("\0035 ", df, "\n"));
    step("hello" + kNul);
    return acks;
  }

  // Sends the case's steps and returns what the gateway answered until it
  // closed the connection (or 10 s passed).
  std::string Run(const HostileCase& c) {
    UniqueFd fd(ConnectLoopback(port_, absl::Seconds(10)));
    for (const auto& step : c.steps) {
      ::send(fd.get(), step.data(), step.size(), MSG_NOSIGNAL);
      absl::SleepFor(absl::Milliseconds(50));
    }
    if (c.reset) {
      std::string got = ReadUntilClosed(fd.get(), absl::Milliseconds(300));
      linger hard{1, 0};
      ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
      return got;
    }
    if (std::string(c.name).rfind("half-open", 0) == 0) ::shutdown(fd.get(), SHUT_WR);
    return ReadUntilClosed(fd.get(), absl::Seconds(10));
  }

  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
  std::unique_ptr<Subprocess> gateway_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  int port_ = 0;
};

TEST_F(LpdHostileTest, EveryCaseGetsItsExactReplyLeavesNothingAndOthersAreServed) {
  auto cases = Catalogue();
  ASSERT_GE(cases.size(), 35u);
  int good = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string served;
    std::thread other([&] { served = GoodJob(good); });
    std::string reply = Run(c);
    other.join();
    ++good;
    if (getenv("SHOW_REPLIES")) std::cout << c.name << " => \"" << absl::CHexEscape(reply) << "\"\n";
    EXPECT_EQ(absl::CHexEscape(reply), absl::CHexEscape(c.reply));
    EXPECT_EQ(served, std::string(kGoodJobAcks, 5)) << "a client served meanwhile";
    EXPECT_EQ(QueuedJobs(), good) << "only the good jobs are queued";
  }
}

}  // namespace
}  // namespace spoolgate
