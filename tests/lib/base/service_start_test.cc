#include "lib/base/service_start.h"

#include <signal.h>

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "gtest/gtest.h"
#include "lib/base/command_line.h"

ABSL_FLAG(std::string, greeting, "", "a flag of this test's own");
ABSL_FLAG(std::vector<std::string>, printer, {}, "given twice below");

namespace spoolgate {
namespace {

bool Blocked(int signal) {
  sigset_t mask;
  sigemptyset(&mask);
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal) == 1;
}

// One test: the usage message and the parse happen once per process.
TEST(StartServiceTest, ParsesFlagsRemembersThemAndBlocksTerminationSignals) {
  std::vector<std::string> args = {"service_start_test", "--greeting=hello", "--printer=a",
                                   "--printer=b"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  StartService(static_cast<int>(argv.size()), argv.data(), "test-daemon",
               "Test daemon: does nothing.\n  test-daemon --greeting=WORD");

  EXPECT_EQ(absl::GetFlag(FLAGS_greeting), "hello");
  // Flags given several times keep every value for those who ask.
  EXPECT_TRUE(FlagGiven("printer"));
  EXPECT_FALSE(FlagGiven("not_given"));
  EXPECT_EQ(FlagValues("printer"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(absl::ProgramUsageMessage(), "Test daemon: does nothing.\n  test-daemon --greeting=WORD");
  // main() waits for these with sigwait; no thread may take them instead.
  EXPECT_TRUE(Blocked(SIGTERM));
  EXPECT_TRUE(Blocked(SIGINT));
  EXPECT_TRUE(Blocked(SIGHUP));
}

}  // namespace
}  // namespace spoolgate
