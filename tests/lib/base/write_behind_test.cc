#include "lib/base/write_behind.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/base/read_file.h"
#include "lib/base/unique_fd.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(WriteBehindTest, WithinTheFirstWindowItLeavesTheFileAlone) {
  WriteBehind write_behind(/*window_bytes=*/1 << 20);
  // No system call is made for these: an fd that is not open passes.
  EXPECT_THAT(write_behind.Appended(-1, 0), IsOk());
  EXPECT_THAT(write_behind.Appended(-1, (1 << 20) - 1), IsOk());
}

TEST(WriteBehindTest, PastAWindowItHandsTheBytesToWriteBack) {
  WriteBehind write_behind(/*window_bytes=*/1 << 20);
  absl::Status status = write_behind.Appended(-1, 1 << 20);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));  // EBADF
  EXPECT_THAT(status.message(), HasSubstr("sync_file_range"));
}

TEST(WriteBehindTest, AFileWrittenThroughItReadsBackWhole) {
  testing::TempDir dir;
  std::string path = dir.Sub("file");
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd.valid());
  WriteBehind write_behind(/*window_bytes=*/256 << 10);
  std::string expected;
  for (int i = 0; i < 40; ++i) {
    // Odd sizes: windows end inside writes, not on their edges.
    std::string block(100'000 + i, static_cast<char>('a' + i % 26));
    ASSERT_EQ(::write(fd.get(), block.data(), block.size()), static_cast<ssize_t>(block.size()));
    expected += block;
    ASSERT_THAT(write_behind.Appended(fd.get(), block.size()), IsOk()) << "after write " << i;
  }
  ASSERT_EQ(::fdatasync(fd.get()), 0);
  auto read = ReadWholeFile(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(*read, expected);
}

TEST(WriteBehindTest, AFileThatCannotBePacedIsLeftAlone) {
  int ends[2];
  ASSERT_EQ(::pipe2(ends, O_CLOEXEC), 0);
  UniqueFd reader(ends[0]), writer(ends[1]);
  WriteBehind write_behind(/*window_bytes=*/4096);
  // sync_file_range on a pipe is ESPIPE: not a failed write-back.
  EXPECT_THAT(write_behind.Appended(writer.get(), 8192), IsOk());
  // From then on no call is made at all, not even on an fd that is closed.
  writer.reset();
  EXPECT_THAT(write_behind.Appended(-1, 1 << 20), IsOk());
}

}  // namespace
}  // namespace spoolgate
