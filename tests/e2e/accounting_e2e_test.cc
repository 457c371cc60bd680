// Accounting with the real binaries: jobs through LPD, FTP and spoolctl
// print (and one cancelled) each leave one record, checked field by field
// in the JSON-lines log and through `spoolctl accounting`; the log is
// reopened on SIGHUP after logrotate moved it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "lib/text/display_json.h"
#include "spoolgate/v1/admin.pb.h"
#include "tests/testing/e2e_helpers.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::BinaryPath;
using ::spoolgate::testing::ReadFile;
using ::spoolgate::testing::RunCommand;
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::Subprocess;
using ::spoolgate::testing::TempDir;
using ::testing::HasSubstr;

std::vector<v1::AccountingRecord> ParseLines(const std::string& text) {
  std::vector<v1::AccountingRecord> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    v1::AccountingRecord r;
    EXPECT_TRUE(text::ParseDisplayJson(std::string(line), &r).ok()) << line;
    out.push_back(r);
  }
  return out;
}

class AccountingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = dir_.Sub("accounting.log");
    spooler_ = std::make_unique<SpoolerProcess>(
        dir_.Sub("data"), dir_.Sub("spooler.log"),
        std::vector<std::string>{"--queues=office", "--accounting_log=" + log_});
    ASSERT_TRUE(spooler_->Start()) << ReadFile(dir_.Sub("spooler.log"));
    lpd_port_ = StartGateway("lpd-gateway");
    ftp_port_ = StartGateway("ftp-gateway");
    agent_ = std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/printer-agent/printer-agent"),
                                 "--spooler=" + spooler_->address(), "--agent_id=acct",
                                 "--printer=laser=office=dir:" + dir_.Sub("out"),
                                 "--metrics_listen="},
        dir_.Sub("agent.log"));
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << ReadFile(dir_.Sub("spooler.log"));
  }

  int StartGateway(const std::string& name) {
    std::string ready = dir_.Sub(name + ".ready");
    gateways_.push_back(std::make_unique<Subprocess>(
        std::vector<std::string>{BinaryPath("services/" + name + "/" + name),
                                 "--spooler=" + spooler_->address(), "--listen=127.0.0.1:0",
                                 "--metrics_listen=", "--ready_file=" + ready},
        dir_.Sub(name + ".log")));
    int port = 0;
    std::istringstream(testing::WaitForFile(ready, absl::Seconds(20))) >> port;
    return port;
  }

  testing::CommandResult Spoolctl(std::vector<std::string> args) {
    return testing::RunSpoolctl(spooler_->address(), std::move(args));
  }

  // One job over raw LPD with the control file first; true if acknowledged.
  bool SendLpdJob(const std::string& data) {
    int fd = testing::ConnectLoopback(lpd_port_, absl::Seconds(20));
    if (fd < 0) return false;
    std::string control = "Hpc7\nPalice\nJquarterly report\nNreport.txt\nldfA007pc7\n";
    bool ok = true;
    auto send = [&](const std::string& bytes) {
      if (!ok) return;
      ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
      char ack = 1;
      ok = ok && ::read(fd, &ack, 1) == 1 && ack == 0;
    };
    send("\002office\n");
    send(absl::StrCat("\002", control.size(), " cfA007pc7\n"));
    send(control + std::string(1, '\0'));
    send(absl::StrCat("\003", data.size(), " dfA007pc7\n"));
    send(data + std::string(1, '\0'));
    ::close(fd);
    return ok;
  }

  bool WaitFor(const std::function<bool()>& done, absl::Duration limit) {
    return testing::WaitUntil(done, limit);
  }

  size_t LogLines() {
    std::string text = ReadFile(log_);
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  TempDir dir_;
  std::string log_;
  std::unique_ptr<SpoolerProcess> spooler_;
  std::vector<std::unique_ptr<Subprocess>> gateways_;
  std::unique_ptr<Subprocess> agent_;
  int lpd_port_ = 0, ftp_port_ = 0;
};

TEST_F(AccountingTest, EveryFinishedJobHasARecordFieldByField) {
  ASSERT_TRUE(SendLpdJob("from lpd\n"));
  ASSERT_TRUE(WaitFor([&] { return LogLines() == 1; }, absl::Seconds(30)));
  std::ofstream(dir_.Sub("ftp.txt")) << "from ftp, twelve bytes";
  ASSERT_EQ(RunCommand({"curl", "-sS", "-T", dir_.Sub("ftp.txt"),
                        absl::StrCat("ftp://bob:x@127.0.0.1:", ftp_port_, "/office/")},
                       absl::Minutes(1)).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return LogLines() == 2; }, absl::Seconds(30)));
  std::ofstream(dir_.Sub("grpc.txt")) << "0123456789";
  ASSERT_EQ(Spoolctl({"print", dir_.Sub("grpc.txt"), "--queue=office", "--user=carol",
                      "--title=via grpc", "--copies=2", "--format=p"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return LogLines() == 3; }, absl::Seconds(30)));
  // A held job that is cancelled never printed.
  ASSERT_EQ(Spoolctl({"queue", "disable", "office"}).exit_code, 0);
  auto held = Spoolctl({"print", dir_.Sub("grpc.txt"), "--queue=office", "--user=dave"});
  uint64_t cancelled = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(held.out), &cancelled)) << held.out;
  ASSERT_EQ(Spoolctl({"cancel", std::to_string(cancelled), "--reason=not needed"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return LogLines() == 4; }, absl::Seconds(30)));

  auto records = ParseLines(ReadFile(log_));
  ASSERT_EQ(records.size(), 4u);
  const auto& lpd = records[0];
  EXPECT_EQ(lpd.queue(), "office");
  EXPECT_EQ(lpd.printer(), "acct/laser");
  EXPECT_EQ(lpd.user(), "alice");
  EXPECT_EQ(lpd.host(), "pc7");
  EXPECT_EQ(lpd.title(), "quarterly report");
  EXPECT_EQ(lpd.protocol(), "lpd");
  EXPECT_THAT(lpd.peer(), HasSubstr("127.0.0.1"));
  ASSERT_EQ(lpd.documents_size(), 1);
  EXPECT_EQ(lpd.documents(0).name(), "report.txt");
  EXPECT_EQ(lpd.documents(0).format(), "l");
  EXPECT_EQ(lpd.bytes(), 9u);
  EXPECT_EQ(lpd.bytes_printed(), 9u);
  EXPECT_EQ(lpd.copies(), 1u);
  EXPECT_EQ(lpd.attempts(), 1u);
  EXPECT_GT(lpd.submitted_unix_micros(), 0);
  EXPECT_GE(lpd.started_unix_micros(), lpd.submitted_unix_micros());
  EXPECT_GE(lpd.finished_unix_micros(), lpd.started_unix_micros());
  EXPECT_EQ(lpd.outcome(), "completed");
  EXPECT_EQ(lpd.reason(), "");

  const auto& ftp = records[1];
  EXPECT_EQ(ftp.protocol(), "ftp");
  EXPECT_EQ(ftp.user(), "bob");
  EXPECT_EQ(ftp.title(), "ftp.txt");
  EXPECT_EQ(ftp.bytes(), 22u);
  EXPECT_EQ(ftp.outcome(), "completed");

  const auto& grpc = records[2];
  EXPECT_EQ(grpc.protocol(), "grpc");
  EXPECT_EQ(grpc.user(), "carol");
  EXPECT_EQ(grpc.title(), "via grpc");
  EXPECT_EQ(grpc.copies(), 2u);
  EXPECT_EQ(grpc.bytes(), 10u);
  EXPECT_EQ(grpc.bytes_printed(), 20u);
  EXPECT_EQ(grpc.pages(), 2u);  // pr paginates: one page per copy
  EXPECT_EQ(lpd.pages(), 0u);   // raw: nobody knows

  const auto& gone = records[3];
  EXPECT_EQ(gone.job_id(), cancelled);
  EXPECT_EQ(gone.user(), "dave");
  EXPECT_EQ(gone.outcome(), "cancelled");
  EXPECT_THAT(gone.reason(), HasSubstr("not needed"));
  EXPECT_EQ(gone.attempts(), 0u);
  EXPECT_EQ(gone.printer(), "");

  // The same four through the Admin API.
  auto json = Spoolctl({"accounting", "--since=1h", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.out;
  auto listed = ParseLines(json.out);
  ASSERT_EQ(listed.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(listed[i].job_id(), records[i].job_id());
  auto csv = Spoolctl({"accounting", "--since=1h", "--csv"});
  EXPECT_THAT(csv.out, HasSubstr("job_id,queue,printer,user,host,title,protocol"));
  EXPECT_THAT(csv.out, HasSubstr(",alice,pc7,quarterly report,lpd,"));
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 5);
  EXPECT_THAT(Spoolctl({"accounting"}).out, HasSubstr("cancelled"));
  EXPECT_EQ(ParseLines(Spoolctl({"accounting", "--since=2020-01-01", "--until=2020-01-02",
                                 "--json"}).out).size(), 0u);
  EXPECT_EQ(Spoolctl({"accounting", "--since=yesterday-ish"}).exit_code, 2);
}

TEST_F(AccountingTest, TheLogIsReopenedOnSighupAfterLogrotate) {
  ASSERT_TRUE(SendLpdJob("one\n"));
  ASSERT_TRUE(WaitFor([&] { return LogLines() == 1; }, absl::Seconds(30)));
  ASSERT_EQ(std::rename(log_.c_str(), (log_ + ".1").c_str()), 0);
  ASSERT_EQ(::kill(spooler_->pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] { return ReadFile(dir_.Sub("spooler.log")).find("reopened") !=
                                   std::string::npos; },
                      absl::Seconds(10)));
  ASSERT_TRUE(SendLpdJob("two\n"));
  ASSERT_TRUE(WaitFor([&] { return LogLines() == 1; }, absl::Seconds(30)));
  std::string rotated = ReadFile(log_ + ".1");
  EXPECT_EQ(std::count(rotated.begin(), rotated.end(), '\n'), 1);
  EXPECT_EQ(ParseLines(ReadFile(log_))[0].bytes(), 4u);
}

}  // namespace
}  // namespace spoolgate
