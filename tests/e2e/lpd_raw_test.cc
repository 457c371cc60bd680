// The LPD gateway against a raw socket client: what the packaged clients do
// not send, malformed and hostile input, stalls, and a spooler killed
// mid-job. After each, the gateway must answer correctly and keep serving.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "lib/base/unique_fd.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::BinaryPath;
using ::spoolgate::testing::ReadFile;
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::Subprocess;
using ::spoolgate::testing::TempDir;
using ::spoolgate::testing::WaitForFile;

template <size_t N>
std::string B(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

class RawClient {
 public:
  // Connects to 127.0.0.1 (or ::1) from an ephemeral or the given source port.
  explicit RawClient(int port, bool ipv6 = false, int source_port = 0) {
    fd_ = UniqueFd(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (ipv6) {
      sockaddr_in6 addr{};
      addr.sin6_family = AF_INET6;
      addr.sin6_port = htons(static_cast<uint16_t>(port));
      addr.sin6_addr = in6addr_loopback;
      connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
      return;
    }
    if (source_port != 0) {
      int one = 1;
      ::setsockopt(fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      sockaddr_in local{};
      local.sin_family = AF_INET;
      local.sin_port = htons(static_cast<uint16_t>(source_port));
      local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bound_source_ = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  bool bound_source() const { return bound_source_; }
  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  void CloseWrite() { ::shutdown(fd_.get(), SHUT_WR); }
  // One byte within `timeout`: the octet, -1 on close/reset, -2 on timeout.
  int ReadAck(absl::Duration timeout = absl::Seconds(20)) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) return -2;
    char c;
    ssize_t n = ::recv(fd_.get(), &c, 1, 0);
    return n == 1 ? static_cast<unsigned char>(c) : -1;
  }
  std::string ReadAll(absl::Duration timeout = absl::Seconds(20)) {
    std::string out;
    absl::Time deadline = absl::Now() + timeout;
    char buffer[4096];
    while (absl::Now() < deadline) {
      pollfd pfd{fd_.get(), POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      ssize_t n = ::recv(fd_.get(), buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }
  // True if the server closed the connection within `timeout`.
  bool ClosedWithin(absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    char buffer[4096];
    while (absl::Now() < deadline) {
      pollfd pfd{fd_.get(), POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      if (::recv(fd_.get(), buffer, sizeof(buffer), 0) <= 0) return true;
    }
    return false;
  }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  bool bound_source_ = false;
};

// A control file printing `data_file` with format 'l'.
std::string Control(const std::string& user, const std::string& data_file) {
  return absl::StrCat("Hrawhost\nP", user, "\nJraw job\nl", data_file, "\n");
}

class LpdRawTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spooler_ = std::make_unique<SpoolerProcess>(dir_.Sub("data"), dir_.Sub("spooler.log"),
                                                std::vector<std::string>{"--queues=office"});
    ASSERT_TRUE(spooler_->Start());
    StartGateway();
    admin_ = v1::Admin::NewStub(
        grpc::CreateChannel(spooler_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << ReadFile(dir_.Sub("lpd.log")) << ReadFile(dir_.Sub("spooler.log"));
    }
  }
  // Restarts the gateway with `flags` added; reads its ports back.
  void StartGateway(std::vector<std::string> flags = {}) {
    gateway_.reset();
    std::string ready = dir_.Sub(absl::StrCat("lpd.ready", ++starts_));
    std::vector<std::string> argv = {BinaryPath("services/lpd-gateway/lpd-gateway"),
                                     "--spooler=" + spooler_->address(), "--listen=127.0.0.1:0",
                                     "--metrics_listen=127.0.0.1:0", "--idle_timeout_seconds=2",
                                     "--ready_file=" + ready};
    argv.insert(argv.end(), flags.begin(), flags.end());
    gateway_ = std::make_unique<Subprocess>(argv, dir_.Sub("lpd.log"));
    std::istringstream in(WaitForFile(ready, absl::Seconds(20)));
    std::string ports;
    std::getline(in, ports);
    std::istringstream port_list(ports);
    ports_.clear();
    for (int p; port_list >> p;) ports_.push_back(p);
    in >> metrics_port_;
    port_ = ports_.empty() ? 0 : ports_[0];
  }

  std::vector<v1::Job> Jobs() {
    grpc::ClientContext context;
    v1::ListJobsRequest request;
    request.set_include_finished(true);
    v1::ListJobsResponse response;
    EXPECT_TRUE(admin_->ListJobs(&context, request, &response).ok());
    return {response.jobs().begin(), response.jobs().end()};
  }

  // Sends \002office and expects the \0.
  std::unique_ptr<RawClient> Open() {
    auto c = std::make_unique<RawClient>(port_);
    EXPECT_TRUE(c->connected());
    c->Send("\002office\n");
    EXPECT_EQ(c->ReadAck(), 0);
    return c;
  }

  // A control file and one data file, control first.
  void SendJob(RawClient& c, const std::string& number, const std::string& data,
               const std::string& user = "raw") {
    std::string df = "dfA" + number + "rawhost";
    std::string cf = Control(user, df);
    c.Send(absl::StrCat("\002", cf.size(), " cfA", number, "rawhost\n"));
    ASSERT_EQ(c.ReadAck(), 0);
    c.Send(cf + B("\0"));
    ASSERT_EQ(c.ReadAck(), 0);
    c.Send(absl::StrCat("\003", data.size(), " ", df, "\n"));
    ASSERT_EQ(c.ReadAck(), 0);
    c.Send(data + B("\0"));
    ASSERT_EQ(c.ReadAck(), 0);
  }

  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
  std::unique_ptr<Subprocess> gateway_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  int port_ = 0;
  std::vector<int> ports_;
  int metrics_port_ = 0;
  int starts_ = 0;
};

TEST_F(LpdRawTest, DataFirstWithSixDigitNumbersAndSeveralJobsPerConnection) {
  auto c = Open();
  std::string cf = Control("dora", "dfB123456a.b.c");
  c->Send("\0035 dfB123456a.b.c\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(B("hello\0"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(absl::StrCat("\002", cf.size(), " cfB123456a.b.c\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(cf + B("\0"));
  ASSERT_EQ(c->ReadAck(), 0);  // after the commit
  SendJob(*c, "124", "second job");
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].user(), "dora");
  EXPECT_EQ(jobs[0].priority(), 1);  // cfB
  EXPECT_EQ(jobs[0].origin().client_job_id(), "123456");
  EXPECT_EQ(jobs[0].documents(0).format(), "l");
  EXPECT_EQ(jobs[0].documents(0).size_bytes(), 5u);
  EXPECT_EQ(jobs[1].total_bytes(), 10u);
}

TEST_F(LpdRawTest, AbortDiscardsTheJobAndTheConnectionGoesOn) {
  auto c = Open();
  c->Send("\0035 dfA001rawhost\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(B("hello\0"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send("\001\n");
  SendJob(*c, "002", "kept");
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].total_bytes(), 4u);
}

TEST_F(LpdRawTest, CountZeroThenLoneNulIsAnEmptyFile) {
  auto c = Open();
  std::string cf = Control("raw", "dfA003rawhost");
  c->Send(absl::StrCat("\002", cf.size(), " cfA003rawhost\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(cf + B("\0"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send("\0030 dfA003rawhost\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(B("\0"));              // rlpr/CUPS: empty file, then wait
  ASSERT_EQ(c->ReadAck(), 0);    // answered after the silence
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].total_bytes(), 0u);
}

TEST_F(LpdRawTest, CountZeroStreamsUntilClose) {
  auto c = Open();
  std::string cf = Control("raw", "dfA004rawhost");
  c->Send(absl::StrCat("\002", cf.size(), " cfA004rawhost\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(cf + B("\0"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send("\0030 dfA004rawhost\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(std::string(100000, 's'));
  c->CloseWrite();
  EXPECT_EQ(c->ReadAck(), 0);  // committed at close
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].total_bytes(), 100000u);
}

TEST_F(LpdRawTest, HugeCountThenCloseIsAStream) {
  auto c = Open();
  std::string cf = Control("raw", "dfA005rawhost");
  // Data first with a stream count, then close: no control file ever came,
  // so the job is incomplete and must not appear.
  c->Send("\003999999999999 dfA005rawhost\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(std::string(5000, 'c'));
  c->CloseWrite();
  c->ReadAck();
  EXPECT_TRUE(Jobs().empty());
  // Control first, then the stream count: complete at close.
  auto d = Open();
  d->Send(absl::StrCat("\002", cf.size(), " cfA005rawhost\n"));
  ASSERT_EQ(d->ReadAck(), 0);
  d->Send(cf + B("\0"));
  ASSERT_EQ(d->ReadAck(), 0);
  d->Send("\003999999999999 dfA005rawhost\n");
  ASSERT_EQ(d->ReadAck(), 0);
  d->Send(std::string(5000, 'c'));
  d->CloseWrite();
  EXPECT_EQ(d->ReadAck(), 0);
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].total_bytes(), 5000u);
}

TEST_F(LpdRawTest, PlausibleCountCutShortLeavesNothing) {
  auto c = Open();
  std::string cf = Control("raw", "dfA006rawhost");
  c->Send(absl::StrCat("\002", cf.size(), " cfA006rawhost\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(cf + B("\0"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send("\003100000 dfA006rawhost\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(std::string(5000, 'x'));
  c->CloseWrite();
  EXPECT_NE(c->ReadAck(), 0);
  EXPECT_TRUE(Jobs().empty());
}

TEST_F(LpdRawTest, LineFeedAfterTerminatorIsTolerated) {
  auto c = Open();
  std::string cf = Control("raw", "dfA007rawhost");
  c->Send(absl::StrCat("\002", cf.size(), " cfA007rawhost\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(cf + B("\0\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send("\0032 dfA007rawhost\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(B("ok\0\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(LpdRawTest, UnknownQueueAndMalformedInputGetCodesAndLeaveNothing) {
  RawClient unknown(port_);
  unknown.Send("\002nope\n");
  EXPECT_EQ(unknown.ReadAck(), 1);
  auto bad_count = Open();
  bad_count->Send("\00312x4 dfA001h\n");
  EXPECT_EQ(bad_count->ReadAck(), 3);
  auto bad_control = Open();
  bad_control->Send("\0026 cfA001h\n");
  ASSERT_EQ(bad_control->ReadAck(), 0);
  bad_control->Send(B("Hhost\n\0"));  // no P line
  EXPECT_EQ(bad_control->ReadAck(), 3);
  RawClient garbage(port_);
  std::string noise;
  for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 7919) & 0xff));
  garbage.Send(noise);
  EXPECT_TRUE(garbage.ClosedWithin(absl::Seconds(10)));
  RawClient huge_line(port_);
  huge_line.Send("\002" + std::string(1 << 20, 'q'));
  EXPECT_TRUE(huge_line.ClosedWithin(absl::Seconds(10)));
  EXPECT_TRUE(Jobs().empty());
  auto c = Open();  // still serving
  SendJob(*c, "008", "after the hostile ones");
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(LpdRawTest, QueueThatStopsAcceptingRefusesAtReceiveJobOrFirstFile) {
  auto c = Open();
  SendJob(*c, "020", "before the stop");  // the gateway has the queue list now
  {
    grpc::ClientContext context;
    v1::UpdateQueueRequest reject;
    reject.set_name("office");
    reject.set_accepting(false);
    v1::Queue queue;
    ASSERT_TRUE(admin_->UpdateQueue(&context, reject, &queue).ok());
  }
  // The gateway's list may still say accepting for a moment: then the
  // spooler's refusal comes with the first file, and nothing is stored.
  RawClient late(port_);
  late.Send("\002office\n");
  int ack = late.ReadAck();
  if (ack == 0) {
    std::string cf = Control("raw", "dfA021rawhost");
    late.Send(absl::StrCat("\002", cf.size(), " cfA021rawhost\n"));
    EXPECT_EQ(late.ReadAck(), 1);
  } else {
    EXPECT_EQ(ack, 1);
  }
  // A gateway with a fresh list refuses at the receive-job command.
  StartGateway();
  RawClient fresh(port_);
  fresh.Send("\002office\n");
  EXPECT_EQ(fresh.ReadAck(), 1);
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(LpdRawTest, SilentClientIsTimedOutWhileOthersAreServed) {
  auto silent = Open();
  silent->Send("\00310 dfA009rawhost\n");
  ASSERT_EQ(silent->ReadAck(), 0);
  silent->Send("abc");  // and then nothing
  auto other = Open();
  SendJob(*other, "010", "served meanwhile");
  EXPECT_TRUE(silent->ClosedWithin(absl::Seconds(10)));  // --idle_timeout_seconds=2
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(LpdRawTest, QueueStateAndRemoveOverRawSockets) {
  auto c = Open();
  SendJob(*c, "011", "listed", "erin");
  RawClient lpq(port_);
  lpq.Send("\003office\n");
  std::string listing = lpq.ReadAll();
  EXPECT_THAT(listing, ::testing::HasSubstr("office is ready, no printer attached"));
  EXPECT_THAT(listing, ::testing::HasSubstr("erin"));
  RawClient lprm(port_);
  lprm.Send(absl::StrCat("\005office erin ", Jobs()[0].id(), "\n"));
  EXPECT_THAT(lprm.ReadAll(), ::testing::HasSubstr("dequeued"));
}

TEST_F(LpdRawTest, SpoolerKilledMidJobNeverGetsAFalseAck) {
  auto c = Open();
  std::string cf = Control("raw", "dfA012rawhost");
  c->Send(absl::StrCat("\002", cf.size(), " cfA012rawhost\n"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(cf + B("\0"));
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send("\0031000000 dfA012rawhost\n");
  ASSERT_EQ(c->ReadAck(), 0);
  c->Send(std::string(500000, 'k'));
  spooler_->Kill9();
  c->Send(std::string(500000, 'k') + B("\0"));
  int ack = c->ReadAck(absl::Seconds(30));
  EXPECT_NE(ack, 0) << "the gateway acknowledged a file the spooler never stored";
  ASSERT_TRUE(spooler_->Start());  // new port: the gateway must be pointed at it
  gateway_.reset();
  StartGateway();
  admin_ = v1::Admin::NewStub(
      grpc::CreateChannel(spooler_->address(), grpc::InsecureChannelCredentials()));
  EXPECT_TRUE(Jobs().empty());  // the half-received job was purged
  auto d = Open();
  SendJob(*d, "013", "after restart");
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(LpdRawTest, ServesIpv4AndIpv6Listeners) {
  StartGateway({"--listen=127.0.0.1:0,[::1]:0"});
  ASSERT_EQ(ports_.size(), 2u);
  for (bool ipv6 : {false, true}) {
    RawClient c(ports_[ipv6 ? 1 : 0], ipv6);
    ASSERT_TRUE(c.connected()) << (ipv6 ? "::1" : "127.0.0.1");
    c.Send("\002office\n");
    ASSERT_EQ(c.ReadAck(), 0);
    SendJob(c, ipv6 ? "602" : "601", "over both families");
  }
  EXPECT_EQ(Jobs().size(), 2u);
}

TEST_F(LpdRawTest, HostAllowListRefusesOthers) {
  StartGateway({"--allow=10.0.0.0/8,::1"});
  RawClient c(port_);
  c.Send("\002office\n");
  EXPECT_EQ(c.ReadAck(), 1);
  RawClient lpq(port_);
  lpq.Send("\003office\n");
  EXPECT_THAT(lpq.ReadAll(), ::testing::HasSubstr("may not use queue office"));
  EXPECT_TRUE(Jobs().empty());
}

TEST_F(LpdRawTest, ReservedPortRuleWhenEnabled) {
  StartGateway({"--require_reserved_port"});
  RawClient ephemeral(port_);
  ephemeral.Send("\002office\n");
  EXPECT_EQ(ephemeral.ReadAck(), 1);
  RawClient reserved(port_, false, 725);  // binding needs root, as for real LPD clients
  ASSERT_TRUE(reserved.bound_source()) << "run as root to bind source port 725";
  reserved.Send("\002office\n");
  ASSERT_EQ(reserved.ReadAck(), 0);
  SendJob(reserved, "725", "from a reserved port");
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(LpdRawTest, ExportsMetrics) {
  auto c = Open();
  SendJob(*c, "700", "counted");
  RawClient unknown(port_);
  unknown.Send("\002nope\n");
  EXPECT_EQ(unknown.ReadAck(), 1);
  auto metrics = testing::RunCommand(
      {"curl", "-sf", absl::StrCat("http://127.0.0.1:", metrics_port_, "/metrics")}, absl::Seconds(30));
  ASSERT_EQ(metrics.exit_code, 0);
  EXPECT_THAT(metrics.out, ::testing::HasSubstr("spoolgate_lpd_jobs_received_total{queue=\"office\"} 1"));
  EXPECT_THAT(metrics.out, ::testing::HasSubstr("spoolgate_lpd_jobs_refused_total{reason=\"not_accepting\"} 1"));
  EXPECT_THAT(metrics.out, ::testing::HasSubstr("spoolgate_lpd_bytes_received_total 7"));
  EXPECT_THAT(metrics.out, ::testing::HasSubstr("spoolgate_lpd_ack_latency_seconds_count"));
  EXPECT_THAT(metrics.out, ::testing::HasSubstr("spoolgate_lpd_connections_total"));
}

}  // namespace
}  // namespace spoolgate
