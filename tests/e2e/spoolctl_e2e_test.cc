// Every spoolctl subcommand against a real spooler: tables, --json, exit
// codes and per-subcommand help.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/checksum.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_agent.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::BinaryPath;
using ::spoolgate::testing::RunCommand;
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

class SpoolctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spooler_ = std::make_unique<SpoolerProcess>(dir_.Sub("data"), dir_.Sub("spooler.log"),
                                                std::vector<std::string>{"--queues=office"});
    ASSERT_TRUE(spooler_->Start());
    std::ofstream(dir_.Sub("doc.txt")) << "hello spoolctl\n";
  }
  testing::CommandResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {BinaryPath("tools/spoolctl/spoolctl"), "--spooler=" + spooler_->address()});
    return RunCommand(args, absl::Minutes(1));
  }
  uint64_t Print(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"print", dir_.Sub("doc.txt"), "--queue=office"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Ctl(args);
    uint64_t id = 0;
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(r.out), &id)) << r.out;
    return id;
  }
  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
};

TEST_F(SpoolctlTest, QueueLifecycle) {
  auto add = Ctl({"queue", "add", "lab", "--description=Lab 2", "--max_job_bytes=1000", "--reject"});
  EXPECT_EQ(add.exit_code, 0);
  EXPECT_THAT(add.out, HasSubstr("queue lab: rejecting jobs, printing enabled"));
  EXPECT_EQ(Ctl({"queue", "add", "lab"}).exit_code, 1);  // exists
  EXPECT_EQ(Ctl({"queue", "add", "bad name"}).exit_code, 1);
  EXPECT_THAT(Ctl({"queue", "accept", "lab"}).out, HasSubstr("accepting jobs"));
  EXPECT_THAT(Ctl({"queue", "disable", "lab"}).out, HasSubstr("printing disabled"));
  EXPECT_THAT(Ctl({"queue", "enable", "lab"}).out, HasSubstr("printing enabled"));
  EXPECT_EQ(Ctl({"queue", "set", "lab", "--max_pending_jobs=7"}).exit_code, 0);
  auto queues = Ctl({"queues"});
  EXPECT_THAT(queues.out, HasSubstr("MAX WAITING"));
  EXPECT_THAT(queues.out, HasSubstr("Lab 2"));
  auto json = Ctl({"queues", "--json"}).out;
  EXPECT_THAT(json, HasSubstr("\"max_pending_jobs\":7"));
  EXPECT_THAT(json, HasSubstr("\"max_job_bytes\":\"1000\""));  // set keeps what was not given
  EXPECT_EQ(Ctl({"queue", "reject", "lab"}).exit_code, 0);
  EXPECT_EQ(Ctl({"print", dir_.Sub("doc.txt"), "--queue=lab"}).exit_code, 1);
  EXPECT_EQ(Ctl({"queue", "remove", "lab"}).exit_code, 0);
  EXPECT_EQ(Ctl({"queue", "remove", "lab"}).exit_code, 1);
  EXPECT_EQ(Ctl({"queue", "frobnicate", "office"}).exit_code, 2);
}

TEST_F(SpoolctlTest, JobLifecycle) {
  uint64_t a = Print();
  uint64_t b = Print({"--priority=5", "--title=urgent", "--user=bob"});
  auto jobs = Ctl({"jobs"});
  EXPECT_LT(jobs.out.find("urgent"), jobs.out.find(absl::StrCat("\n", a, " ")));  // priority first
  EXPECT_THAT(Ctl({"jobs", "--user=bob"}).out, Not(HasSubstr(absl::StrCat("\n", a, " "))));
  EXPECT_THAT(Ctl({"hold", std::to_string(a)}).out, HasSubstr("held"));
  EXPECT_THAT(Ctl({"jobs", "--state=held", "--json"}).out, HasSubstr(absl::StrCat("\"id\":\"", a, "\"")));
  EXPECT_EQ(Ctl({"jobs", "--state=bogus"}).exit_code, 2);
  EXPECT_EQ(Ctl({"hold", std::to_string(a)}).exit_code, 1);  // already held
  EXPECT_THAT(Ctl({"release", std::to_string(a)}).out, HasSubstr("released"));
  EXPECT_THAT(Ctl({"priority", std::to_string(a), "20"}).out, HasSubstr("priority 20"));
  EXPECT_EQ(Ctl({"priority", std::to_string(a), "99"}).exit_code, 1);
  EXPECT_EQ(Ctl({"queue", "add", "lab"}).exit_code, 0);
  EXPECT_THAT(Ctl({"move", std::to_string(a), std::to_string(b), "lab"}).out, HasSubstr("moved to lab"));
  EXPECT_EQ(Ctl({"move", std::to_string(a), "nope"}).exit_code, 1);
  auto detail = Ctl({"job", std::to_string(b)});
  EXPECT_THAT(detail.out, HasSubstr("Title      urgent"));
  EXPECT_THAT(detail.out, HasSubstr("User       bob"));
  const std::string checksum = Checksum::Of(ChecksumAlgorithm::kXxh3_128, "hello spoolctl\n");
  EXPECT_THAT(detail.out, HasSubstr("CHECKSUM"));
  EXPECT_THAT(detail.out, HasSubstr(checksum));
  EXPECT_THAT(Ctl({"job", std::to_string(b), "--json"}).out,
              HasSubstr("\"checksum\":\"" + checksum + "\""));
  EXPECT_EQ(Ctl({"job", "424242"}).exit_code, 1);
  EXPECT_EQ(Ctl({"job"}).exit_code, 2);
  auto bulk = Ctl({"cancel", "--queue=lab", "--all"});
  EXPECT_EQ(bulk.exit_code, 0);
  EXPECT_THAT(bulk.out, HasSubstr(absl::StrCat("job ", a, " cancelled")));
  EXPECT_THAT(bulk.out, HasSubstr(absl::StrCat("job ", b, " cancelled")));
  EXPECT_EQ(Ctl({"cancel", "--all"}).exit_code, 2);  // bulk needs a queue
  EXPECT_THAT(Ctl({"jobs", "--all"}).out, HasSubstr("cancelled"));
}

TEST_F(SpoolctlTest, PrintersAndWatchShowAgentsAndProgress) {
  uint64_t id = Print();
  testing::TestAgent agent(spooler_->address(), "watched", "office");
  auto assignment = agent.NextAssignment(absl::Seconds(20));
  ASSERT_TRUE(assignment.has_value());
  v1::AgentMessage progress;
  progress.mutable_progress()->set_job_id(id);
  progress.mutable_progress()->set_bytes_written(7000);  // device bytes: filters and banners add
  progress.mutable_progress()->set_document_bytes(7);
  progress.mutable_progress()->set_document_bytes_total(15);
  agent.Send(progress);
  absl::SleepFor(absl::Milliseconds(300));
  auto printers = Ctl({"printers"});
  EXPECT_THAT(printers.out, HasSubstr("watched"));
  EXPECT_THAT(printers.out, HasSubstr(absl::StrCat(id)));
  EXPECT_THAT(Ctl({"printers", "--json"}).out, HasSubstr("\"current_job\":\"" + std::to_string(id)));
  auto watch = Ctl({"watch", "--iterations=2", "--interval_seconds=0.1"});
  EXPECT_EQ(watch.exit_code, 0);
  EXPECT_THAT(watch.out, HasSubstr("PROGRESS"));
  EXPECT_THAT(watch.out, HasSubstr("46%"));  // 7 of 15 bytes
  EXPECT_THAT(Ctl({"watch", "--iterations=1", "--json"}).out, HasSubstr("\"printing\":"));
}

TEST_F(SpoolctlTest, HelpAndExitCodes) {
  auto overview = Ctl({"--help"});
  EXPECT_EQ(overview.exit_code, 0);
  EXPECT_THAT(overview.out, HasSubstr("spoolctl watch"));
  EXPECT_THAT(overview.out, ::testing::Not(HasSubstr("No flags matched")));
  auto help = Ctl({"queue", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: spoolctl queue add|remove|accept"));
  EXPECT_EQ(Ctl({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunCommand({BinaryPath("tools/spoolctl/spoolctl"), "--spooler=127.0.0.1:1", "jobs"},
                       absl::Minutes(1)).exit_code, 3);
}

}  // namespace
}  // namespace spoolgate
