// Device backends against real files, FIFOs, a pty and loopback TCP sinks
// (one that takes everything, one that stalls, one that closes mid-job).
#include "services/printer-agent/devices/devices.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/lp.h>
#include <netinet/in.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"

#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::agent {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::ReadFile;
using ::spoolgate::testing::StatusIs;
using ::spoolgate::testing::TempDir;

DeviceOptions Fast() {
  DeviceOptions o;
  o.write_timeout = absl::Milliseconds(300);
  o.connect_timeout = absl::Seconds(2);
  return o;
}

// A listening loopback socket; Accept() hands out connections.
class Listener {
 public:
  Listener() {
    fd_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_.get(), 8);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  int port() const { return port_; }
  UniqueFd Accept() { return UniqueFd(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC)); }
  void Close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  int port_ = 0;
};

std::string ReadAllFrom(int fd) {
  std::string out;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) out.append(buffer, static_cast<size_t>(n));
  return out;
}

TEST(DirDeviceTest, PublishesACompleteJobUnderItsId) {
  TempDir dir;
  DirDevice device(dir.path(), Fast());
  ASSERT_THAT(device.Probe(), IsOk());
  ASSERT_THAT(device.BeginJob(17), IsOk());
  ASSERT_THAT(device.Write("hello "), IsOk());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("17")));  // not before the end
  ASSERT_THAT(device.Write("world"), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  EXPECT_EQ(ReadFile(dir.Sub("17")), "hello world");
  EXPECT_FALSE(std::filesystem::exists(dir.Sub(".17.part")));
}

TEST(DirDeviceTest, AbortLeavesNothingAndStalePartsAreCleanedAtStart) {
  TempDir dir;
  {
    DirDevice device(dir.path(), Fast());
    ASSERT_THAT(device.BeginJob(5), IsOk());
    ASSERT_THAT(device.Write("half"), IsOk());
    device.AbortJob();
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  { std::ofstream(dir.Sub(".9.part")) << "left by kill -9"; }
  DirDevice restarted(dir.path(), Fast());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(DirDeviceTest, ABigJobPastThePageCacheThresholdArrivesWhole) {
  // Big jobs continue with direct I/O after their first MiB; odd write
  // sizes make that switch happen inside a block.
  TempDir dir;
  DirDevice device(dir.path(), Fast());
  ASSERT_THAT(device.BeginJob(21), IsOk());
  std::string expected;
  for (int i = 0; expected.size() < (21u << 20); ++i) {
    std::string piece(300'001 + i, static_cast<char>('a' + i % 26));
    ASSERT_THAT(device.Write(piece), IsOk()) << "write " << i;
    expected += piece;
  }
  ASSERT_THAT(device.EndJob(), IsOk());
  std::string printed = ReadFile(dir.Sub("21"));
  EXPECT_EQ(printed.size(), expected.size());
  EXPECT_TRUE(printed == expected);
  // The next job on the same device starts small again.
  ASSERT_THAT(device.BeginJob(22), IsOk());
  ASSERT_THAT(device.Write("small"), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  EXPECT_EQ(ReadFile(dir.Sub("22")), "small");
}

TEST(DirDeviceTest, ADeferredEndPublishesLaterWhileTheNextJobIsWritten) {
  TempDir dir;
  DirDevice device(dir.path(), Fast());
  ASSERT_THAT(device.BeginJob(30), IsOk());
  ASSERT_THAT(device.Write("thirty"), IsOk());
  auto finish30 = device.EndJobDeferred();
  ASSERT_THAT(finish30.status(), IsOk());
  ASSERT_TRUE(finish30->has_value());
  // The device is free for the next job; the first is not published yet.
  ASSERT_THAT(device.BeginJob(31), IsOk());
  ASSERT_THAT(device.Write("thirty-one"), IsOk());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("30")));
  // An abort of the next job leaves the deferred one alone.
  device.AbortJob();
  ASSERT_THAT((*finish30)->publish(), IsOk());
  (*finish30)->sync();
  EXPECT_EQ(ReadFile(dir.Sub("30")), "thirty");
  EXPECT_FALSE(std::filesystem::exists(dir.Sub(".30.part")));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub(".31.part")));
  // A big job, past the page-cache threshold, too.
  ASSERT_THAT(device.BeginJob(32), IsOk());
  std::string big(9 << 20, 'b');
  ASSERT_THAT(device.Write(big), IsOk());
  ASSERT_THAT(device.Write("tail"), IsOk());
  auto finish32 = device.EndJobDeferred();
  ASSERT_THAT(finish32.status(), IsOk());
  ASSERT_TRUE(finish32->has_value());
  ASSERT_THAT((*finish32)->publish(), IsOk());
  EXPECT_TRUE(ReadFile(dir.Sub("32")) == big + "tail");
}

TEST(DirDeviceTest, ADeferredEndThatFailsLeavesNoPartFile) {
  TempDir dir;
  DirDevice device(dir.path(), Fast());
  ASSERT_THAT(device.BeginJob(40), IsOk());
  ASSERT_THAT(device.Write("never published"), IsOk());
  auto finish = device.EndJobDeferred();
  ASSERT_THAT(finish.status(), IsOk());
  // A directory in the way of the final name makes the rename fail.
  std::filesystem::create_directories(dir.Sub("40/inside"));
  ASSERT_TRUE(finish->has_value());
  EXPECT_FALSE((*finish)->publish().ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub(".40.part")));
}

// A job printed again (its first report never reached the spooler) takes
// the place of its earlier file, whole.
TEST(DirDeviceTest, AJobPrintedAgainReplacesItsFile) {
  TempDir dir;
  DirDevice device(dir.path(), Fast());
  ASSERT_THAT(device.BeginJob(60), IsOk());
  ASSERT_THAT(device.Write("first attempt, longer"), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  ASSERT_THAT(device.BeginJob(60), IsOk());
  ASSERT_THAT(device.Write("second"), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  EXPECT_EQ(ReadFile(dir.Sub("60")), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

// A job is a hidden part file until it is published; an end that fails
// (not deferred) leaves no part file behind. Publishing, printing again,
// aborting and a deferred end that fails have tests of their own above.
TEST(DirDeviceTest, AJobIsAHiddenPartFileUntilPublished) {
  TempDir dir;
  DirDevice device(dir.path(), Fast());
  ASSERT_THAT(device.BeginJob(70), IsOk());
  ASSERT_THAT(device.Write("seventy"), IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir.Sub(".70.part")));
  ASSERT_THAT(device.EndJob(), IsOk());
  EXPECT_EQ(ReadFile(dir.Sub("70")), "seventy");
  EXPECT_FALSE(std::filesystem::exists(dir.Sub(".70.part")));
  ASSERT_THAT(device.BeginJob(72), IsOk());
  ASSERT_THAT(device.Write("never"), IsOk());
  std::filesystem::create_directories(dir.Sub("72/inside"));
  EXPECT_FALSE(device.EndJob().ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub(".72.part")));
}

TEST(DirDeviceTest, ABigJobAbortedMidwayLeavesNothing) {
  TempDir dir;
  DirDevice device(dir.path(), Fast());
  ASSERT_THAT(device.BeginJob(23), IsOk());
  std::string piece(1 << 20, 'x');
  for (int i = 0; i < 12; ++i) ASSERT_THAT(device.Write(piece), IsOk());
  device.AbortJob();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(DirDeviceTest, MissingDirectoryIsCreated) {
  TempDir dir;
  DirDevice device(dir.Sub("a/b"), Fast());
  EXPECT_THAT(device.Probe(), IsOk());
}

TEST(FileDeviceTest, AppendsJobsToAFile) {
  TempDir dir;
  FileDevice device(dir.Sub("out.prn"), Fast());
  ASSERT_THAT(device.Probe(), IsOk());
  for (const char* job : {"one;", "two;"}) {
    ASSERT_THAT(device.BeginJob(1), IsOk());
    ASSERT_THAT(device.Write(job), IsOk());
    ASSERT_THAT(device.EndJob(), IsOk());
  }
  EXPECT_EQ(ReadFile(dir.Sub("out.prn")), "one;two;");
}

TEST(FileDeviceTest, FifoWithoutReaderIsUnavailableAndWithReaderGetsTheBytes) {
  TempDir dir;
  std::string fifo = dir.Sub("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FileDevice device(fifo, Fast());
  EXPECT_THAT(device.Probe(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(device.BeginJob(1), StatusIs(absl::StatusCode::kUnavailable));
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  ASSERT_TRUE(reader.valid());
  EXPECT_THAT(device.Probe(), IsOk());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  ASSERT_THAT(device.Write("through the pipe"), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  char buffer[64] = {};
  ASSERT_EQ(::read(reader.get(), buffer, sizeof(buffer)), 16);
  EXPECT_STREQ(buffer, "through the pipe");
}

TEST(FileDeviceTest, FifoWhoseReaderStopsReadingStalls) {
  TempDir dir;
  std::string fifo = dir.Sub("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  FileDevice device(fifo, Fast());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  // 1 MiB does not fit in a pipe buffer that nobody drains.
  EXPECT_THAT(device.Write(std::string(1 << 20, 'x')),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(FileDeviceTest, WritesToACharacterDevice) {
  int master = -1, slave = -1;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  UniqueFd master_fd(master), slave_fd(slave);
  struct termios raw;
  ::tcgetattr(slave, &raw);
  ::cfmakeraw(&raw);
  ::tcsetattr(slave, TCSANOW, &raw);
  char name[256];
  ASSERT_EQ(::ttyname_r(slave, name, sizeof(name)), 0);
  FileDevice device(name, Fast());
  ASSERT_THAT(device.Probe(), IsOk());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  ASSERT_THAT(device.Write("to the tty"), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  char buffer[64] = {};
  ASSERT_EQ(::read(master, buffer, sizeof(buffer)), 10);
  EXPECT_STREQ(buffer, "to the tty");
}

TEST(SocketDeviceTest, SendsTheJobOverOneConnection) {
  Listener sink;
  std::string received;
  std::thread reader([&] {
    UniqueFd conn = sink.Accept();
    received = ReadAllFrom(conn.get());
  });
  SocketDevice device("127.0.0.1", sink.port(), Fast());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  ASSERT_THAT(device.Write(std::string(3 << 20, 'z')), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  reader.join();
  EXPECT_EQ(received, std::string(3 << 20, 'z'));
}

TEST(SocketDeviceTest, RefusedConnectionIsUnavailable) {
  int port;
  {
    Listener gone;
    port = gone.port();
  }
  SocketDevice device("127.0.0.1", port, Fast());
  EXPECT_THAT(device.Probe(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(device.BeginJob(1), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(SocketDeviceTest, SinkThatStallsTimesOut) {
  Listener sink;
  std::thread accepter([&] {
    UniqueFd conn = sink.Accept();  // accept, never read
    absl::SleepFor(absl::Seconds(2));
  });
  SocketDevice device("127.0.0.1", sink.port(), Fast());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  absl::Status status;
  for (int i = 0; i < 64 && status.ok(); ++i) status = device.Write(std::string(1 << 20, 'x'));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDeadlineExceeded));
  device.AbortJob();
  accepter.join();
}

TEST(SocketDeviceTest, SinkThatClosesMidJobFailsTheWrite) {
  Listener sink;
  std::thread closer([&] {
    UniqueFd conn = sink.Accept();
    char buffer[1000];
    ::read(conn.get(), buffer, sizeof(buffer));
  });  // closes after one read
  SocketDevice device("127.0.0.1", sink.port(), Fast());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  absl::Status status;
  for (int i = 0; i < 64 && status.ok(); ++i) {
    status = device.Write(std::string(1 << 20, 'x'));
    if (i == 0) closer.join();
  }
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
}

// The tail of a job sits in socket buffers when the last write returns: the
// job is done only when the printer has read it and closed its side.
TEST(SocketDeviceTest, EndJobWaitsForAPrinterThatPausesThenTakesTheRest) {
  Listener sink;
  const std::string job(4 << 20, 'p');
  std::string received;
  std::atomic<bool> read_all{false};
  std::thread printer([&] {
    UniqueFd conn = sink.Accept();
    absl::SleepFor(absl::Milliseconds(1500));  // longer than the write timeout
    received = ReadAllFrom(conn.get());
    read_all = true;  // before the close
  });
  SocketDevice device("127.0.0.1", sink.port(), Fast());
  int stall_reports = 0;
  device.set_stall_hook([&](absl::Duration) {
    ++stall_reports;
    return absl::OkStatus();
  });
  ASSERT_THAT(device.BeginJob(1), IsOk());
  ASSERT_THAT(device.Write(job), IsOk());
  ASSERT_THAT(device.EndJob(), IsOk());
  EXPECT_TRUE(read_all);
  printer.join();
  EXPECT_EQ(received.size(), job.size());
  EXPECT_GT(stall_reports, 0);
}

TEST(SocketDeviceTest, EndJobFailsWhenThePrinterNeverTakesTheTail) {
  Listener sink;
  absl::Notification done;
  std::thread printer([&] {
    UniqueFd conn = sink.Accept();  // accept, never read
    done.WaitForNotificationWithTimeout(absl::Seconds(10));
  });
  SocketDevice device("127.0.0.1", sink.port(), Fast());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  // More than the printer's receive buffer takes (what it holds counts as
  // acknowledged): the rest waits in the sender's queue. The write itself
  // may time out; what matters here is the end of the job.
  (void)device.Write(std::string(8 << 20, 't'));
  absl::Status end = device.EndJob();
  EXPECT_THAT(end, StatusIs(absl::StatusCode::kDeadlineExceeded));
  device.AbortJob();
  done.Notify();
  printer.join();
}

TEST(SocketDeviceTest, EndJobStopsWhenTheStallHookGivesUp) {
  Listener sink;
  absl::Notification done;
  std::thread printer([&] {
    UniqueFd conn = sink.Accept();
    done.WaitForNotificationWithTimeout(absl::Seconds(10));
  });
  DeviceOptions options = Fast();
  options.write_timeout = absl::Seconds(30);
  SocketDevice device("127.0.0.1", sink.port(), options);
  int calls = 0;
  device.set_stall_hook([&](absl::Duration) {
    return ++calls >= 2 ? absl::CancelledError("cancelled") : absl::OkStatus();
  });
  ASSERT_THAT(device.BeginJob(1), IsOk());
  ASSERT_THAT(device.Write("short job"), IsOk());
  EXPECT_THAT(device.EndJob(), StatusIs(absl::StatusCode::kCancelled));
  device.AbortJob();
  done.Notify();
  printer.join();
}

TEST(SocketDeviceTest, APrinterThatReadsAllButKeepsItsSideOpenIsDoneAfterTheTimeout) {
  Listener sink;
  absl::Notification done;
  std::string received;
  std::thread printer([&] {
    UniqueFd conn = sink.Accept();
    char buffer[65536];
    // Reads up to the sender's half-close, then keeps the connection open.
    while (true) {
      ssize_t n = ::read(conn.get(), buffer, sizeof(buffer));
      if (n <= 0) break;
      received.append(buffer, static_cast<size_t>(n));
    }
    done.WaitForNotificationWithTimeout(absl::Seconds(10));
  });
  SocketDevice device("127.0.0.1", sink.port(), Fast());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  ASSERT_THAT(device.Write(std::string(100000, 'o')), IsOk());
  EXPECT_THAT(device.EndJob(), IsOk());
  done.Notify();
  printer.join();
  EXPECT_EQ(received.size(), 100000u);
}

TEST(UsbDeviceTest, MissingDeviceIsUnavailable) {
  TempDir dir;
  auto uri = ParseDeviceUri("usb:?serial=NOPE");
  DeviceOptions options = Fast();
  options.usb_dir = dir.path();
  UsbDevice device(*uri, options);
  EXPECT_THAT(device.Probe(), StatusIs(absl::StatusCode::kUnavailable));
  UsbDevice by_path(*ParseDeviceUri("usb:" + dir.Sub("lp0")), options);
  EXPECT_THAT(by_path.Probe(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(DeviceIdTest, ParsesIeee1284Ids) {
  auto fields = ParseDeviceId("MFG:HP;MODEL:LaserJet M404;CMD:PJL,PCL,POSTSCRIPT;SERN:X1;");
  EXPECT_EQ(fields["MFG"], "HP");
  EXPECT_EQ(fields["MDL"], "LaserJet M404");
  EXPECT_EQ(fields["SN"], "X1");
  EXPECT_EQ(fields["CMD"], "PJL,PCL,POSTSCRIPT");
}

TEST(DeviceIdTest, SelectorsMatchSerialOrModel) {
  const char* id = "MFG:HP;MDL:LaserJet M404;SN:X1;";
  EXPECT_TRUE(DeviceIdMatches(id, *ParseDeviceUri("usb:?serial=X1")));
  EXPECT_FALSE(DeviceIdMatches(id, *ParseDeviceUri("usb:?serial=X2")));
  EXPECT_TRUE(DeviceIdMatches(id, *ParseDeviceUri("usb:?model=laserjet%20m404")));
  EXPECT_TRUE(DeviceIdMatches(id, *ParseDeviceUri("usb:?model=HP%20LaserJet%20M404")));
  EXPECT_FALSE(DeviceIdMatches(id, *ParseDeviceUri("usb:?model=OfficeJet")));
}

TEST(ParallelStatusTest, DecodesPaperOutOfflineAndError) {
  int ready = LP_PSELECD | LP_PERRORP;
  EXPECT_THAT(DecodeParallelStatus(ready), IsOk());
  EXPECT_EQ(DecodeParallelStatus(ready | LP_POUTPA).message(), "paper out");
  EXPECT_EQ(DecodeParallelStatus(LP_PERRORP).message(), "offline");
  EXPECT_EQ(DecodeParallelStatus(LP_PSELECD).message(), "printer error");
}

TEST(ParallelStatusTest, BitsBecomePrinterStates) {
  int ready = LP_PSELECD | LP_PERRORP;
  EXPECT_EQ(ConditionFromLpStatus(ready).state, v1::PRINTER_STATE_IDLE);
  EXPECT_EQ(ConditionFromLpStatus(ready | LP_POUTPA).state, v1::PRINTER_STATE_MEDIA_EMPTY);
  EXPECT_EQ(ConditionFromLpStatus(ready | LP_POUTPA).reason, "paper out");
  // Paper out wins over offline: it is the thing to fix first.
  EXPECT_EQ(ConditionFromLpStatus(LP_POUTPA).state, v1::PRINTER_STATE_MEDIA_EMPTY);
  EXPECT_EQ(ConditionFromLpStatus(LP_PERRORP).state, v1::PRINTER_STATE_OFFLINE);
  EXPECT_EQ(ConditionFromLpStatus(LP_PSELECD).state, v1::PRINTER_STATE_ERROR);
  EXPECT_EQ(ConditionFromLpStatus(LP_PSELECD).reason, "printer error");
}

TEST(FailureConditionTest, RefusedAndMissingDevicesAreOffline) {
  EXPECT_EQ(ConditionForFailure(absl::UnavailableError("connect: Connection refused")).state,
            v1::PRINTER_STATE_OFFLINE);
  EXPECT_EQ(ConditionForFailure(absl::UnavailableError("write: Connection reset by peer")).state,
            v1::PRINTER_STATE_OFFLINE);
  EXPECT_EQ(ConditionForFailure(absl::NotFoundError("/dev/usb/lp0: No such file")).state,
            v1::PRINTER_STATE_OFFLINE);
  EXPECT_EQ(ConditionForFailure(absl::FailedPreconditionError("/dev/lp0: paper out")).state,
            v1::PRINTER_STATE_MEDIA_EMPTY);
  auto other = ConditionForFailure(absl::PermissionDeniedError("/dev/lp0: Permission denied"));
  EXPECT_EQ(other.state, v1::PRINTER_STATE_ERROR);
  EXPECT_EQ(other.reason, "/dev/lp0: Permission denied");
}

// A write that blocks (nobody drains the FIFO) is handed to the stall hook,
// which sees the device's own LPGETSTATUS condition, keeps waiting, and the
// write completes once the reader drains.
TEST(StallTest, ABlockedWriteWaitsWithTheHookAndSeesTheDevicesCondition) {
  TempDir dir;
  std::string fifo = dir.Sub("lp0");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  DeviceOptions options = Fast();
  std::atomic<int> lp_status{LP_PSELECD | LP_PERRORP | LP_POUTPA};  // paper out
  options.read_lp_status = [&](int) -> absl::StatusOr<int> { return lp_status.load(); };
  ParallelDevice device(fifo, options);
  ASSERT_THAT(device.BeginJob(1), IsOk());
  std::vector<v1::PrinterState> seen;
  absl::Duration longest;
  device.set_stall_hook([&](absl::Duration stalled) {
    seen.push_back(device.Condition()->state);
    longest = std::max(longest, stalled);
    return absl::OkStatus();
  });
  std::string data(1 << 20, 'p');
  std::thread drain([&] {
    absl::SleepFor(absl::Milliseconds(1500));  // five write timeouts
    lp_status = LP_PSELECD | LP_PERRORP;      // paper loaded
    std::string got;
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (got.size() < data.size() && absl::Now() < deadline) {
      char buffer[65536];
      ssize_t n = ::read(reader.get(), buffer, sizeof(buffer));
      if (n > 0) got.append(buffer, static_cast<size_t>(n));
      else absl::SleepFor(absl::Milliseconds(5));
    }
    EXPECT_EQ(got.size(), data.size());
  });
  EXPECT_THAT(device.Write(data), IsOk());
  drain.join();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), v1::PRINTER_STATE_MEDIA_EMPTY);
  EXPECT_GE(longest, absl::Milliseconds(300));  // longer than the write timeout, no failure
}

TEST(StallTest, TheHookEndsTheWaitWithItsStatus) {
  TempDir dir;
  std::string fifo = dir.Sub("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  FileDevice device(fifo, Fast());
  ASSERT_THAT(device.BeginJob(1), IsOk());
  EXPECT_FALSE(device.Condition().has_value());  // a plain file has no status of its own
  int calls = 0;
  device.set_stall_hook([&](absl::Duration) {
    return ++calls < 3 ? absl::OkStatus() : absl::CancelledError("cancelled");
  });
  EXPECT_THAT(device.Write(std::string(1 << 20, 'x')), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(calls, 3);
}

TEST(OutcomeTest, MapsFailuresLikeCupsBackends) {
  EXPECT_EQ(OutcomeFor(absl::OkStatus()), Outcome::kOk);
  EXPECT_EQ(OutcomeFor(absl::UnavailableError("gone")), Outcome::kRetryJob);
  EXPECT_EQ(OutcomeFor(absl::DeadlineExceededError("stall")), Outcome::kRetryJob);
  EXPECT_EQ(OutcomeFor(absl::FailedPreconditionError("paper out")), Outcome::kRetryJob);
  EXPECT_EQ(OutcomeFor(absl::PermissionDeniedError("EACCES")), Outcome::kStopPrinter);
  EXPECT_EQ(OutcomeFor(absl::DataLossError("short")), Outcome::kHoldJob);
  EXPECT_EQ(OutcomeFor(absl::NotFoundError("no job")), Outcome::kCancelJob);
}

}  // namespace
}  // namespace spoolgate::agent
