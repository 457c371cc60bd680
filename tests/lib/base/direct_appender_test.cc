#include "lib/base/direct_appender.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
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

constexpr size_t kBuffer = 64 << 10;  // small buffers: many hand-offs per test

// Bytes that differ from block to block, so a misplaced block shows.
std::string Pattern(size_t size, int seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + seed * 7) % 251);
  return s;
}

// The file's bytes, compared whole (a mismatch prints sizes, not megabytes).
void ExpectFileHolds(const std::string& path, const std::string& expected) {
  auto read = ReadWholeFile(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->size(), expected.size());
  EXPECT_TRUE(*read == expected);
}

class DirectAppenderTest : public ::testing::TestWithParam<bool> {
 protected:
  // Direct I/O where the test directory's file system takes it; otherwise
  // the same code runs through the page cache.
  void SetUp() override {
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    fd_ = UniqueFd(::open(path_.c_str(), flags | (GetParam() ? O_DIRECT : 0), 0600));
    if (!fd_.valid()) fd_ = UniqueFd(::open(path_.c_str(), flags, 0600));
    ASSERT_TRUE(fd_.valid());
  }
  testing::TempDir dir_;
  const std::string path_ = dir_.Sub("file");
  UniqueFd fd_;
};

TEST_P(DirectAppenderTest, WhatWasAppendedReadsBackWholeAfterSync) {
  DirectAppender appender(fd_.get(), "file", kBuffer);
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    // Odd sizes: buffers end inside appends, not on their edges.
    std::string piece = Pattern(10'000 + 37 * i, i);
    ASSERT_THAT(appender.Append(piece), IsOk()) << "append " << i;
    expected += piece;
  }
  ASSERT_THAT(appender.Sync(), IsOk());
  EXPECT_EQ(appender.size(), expected.size());
  ExpectFileHolds(path_, expected);
}

TEST_P(DirectAppenderTest, OnlyAnAppendThatHandsOffTwiceOrToABusyWriterMayWait) {
  DirectAppender appender(fd_.get(), "file", kBuffer);
  ASSERT_THAT(appender.Append(Pattern(1000, 1)), IsOk());
  // Fits in the current buffer: a copy only.
  EXPECT_FALSE(appender.AppendMayWait(kBuffer - 1001));
  // Fills two buffers: the second hand-off waits for the first write.
  EXPECT_TRUE(appender.AppendMayWait(2 * kBuffer));
  // Fills the buffer exactly: it is handed off only when more comes.
  EXPECT_FALSE(appender.AppendMayWait(kBuffer - 1000));
  // One hand-off to a writer known to be idle (nothing was handed off yet).
  EXPECT_FALSE(appender.AppendMayWait(kBuffer - 999));
  ASSERT_THAT(appender.Append(Pattern(kBuffer, 2)), IsOk());
  ASSERT_THAT(appender.Sync(), IsOk());  // the writer is idle again
  EXPECT_FALSE(appender.AppendMayWait(kBuffer - 1000));
}

TEST_P(DirectAppenderTest, AppendsAfterASyncContinueTheFileWithoutPadding) {
  DirectAppender appender(fd_.get(), "file", kBuffer);
  std::string expected;
  for (int round = 0; round < 4; ++round) {
    std::string piece = Pattern(kBuffer / 3 + round, round);
    ASSERT_THAT(appender.Append(piece), IsOk());
    expected += piece;
    ASSERT_THAT(appender.Sync(), IsOk()) << "round " << round;
    struct stat st;
    ASSERT_EQ(::fstat(fd_.get(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_size), expected.size()) << "round " << round;
  }
  ExpectFileHolds(path_, expected);
}

// Threads of this process, from /proc.
int ThreadCount() {
  int n = 0;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/proc/self/task"), &::closedir);
  while (dirent* e = ::readdir(dir.get())) n += e->d_name[0] != '.';
  return n;
}

// Most spool files fit in one buffer: they are written by Sync, on the
// caller's thread, and cost no thread of their own.
TEST_P(DirectAppenderTest, AFileThatFitsOneBufferStartsNoThread) {
  int before = ThreadCount();
  std::string data = Pattern(kBuffer, 3);  // fills the one buffer exactly
  {
    DirectAppender appender(fd_.get(), "file", kBuffer);
    ASSERT_THAT(appender.Append(data), IsOk());
    EXPECT_EQ(ThreadCount(), before);
    ASSERT_THAT(appender.Sync(), IsOk());
    EXPECT_EQ(ThreadCount(), before);
    ExpectFileHolds(path_, data);
    // The first hand-off starts the writing threads.
    ASSERT_THAT(appender.Append(Pattern(2, 4)), IsOk());
    EXPECT_GT(ThreadCount(), before);
    ASSERT_THAT(appender.Sync(), IsOk());
    data += Pattern(2, 4);
  }
  ExpectFileHolds(path_, data);
}

// A pool that can spare one buffer: the caller writes each full buffer
// itself, so every hand-off may wait, and no thread starts.
TEST_P(DirectAppenderTest, WithoutASecondBufferTheCallerWritesAndStartsNoThread) {
  constexpr size_t kLarge = 2 * DirectAppender::kSmallBufferBytes;
  AlignedBuffers pool(kLarge);
  int before = ThreadCount();
  DirectAppender appender(fd_.get(), "file", kLarge, pool);
  EXPECT_EQ(appender.buffer_bytes(), kLarge);
  ASSERT_THAT(appender.Append(Pattern(1000, 1)), IsOk());
  EXPECT_FALSE(appender.AppendMayWait(kLarge - 1000));
  EXPECT_TRUE(appender.AppendMayWait(kLarge - 999));
  std::string expected = Pattern(1000, 1);
  for (int i = 0; i < 8; ++i) {
    std::string piece = Pattern(300'000 + 37 * i, i);
    ASSERT_THAT(appender.Append(piece), IsOk()) << "append " << i;
    expected += piece;
  }
  EXPECT_EQ(ThreadCount(), before);
  ASSERT_THAT(appender.Sync(), IsOk());
  ExpectFileHolds(path_, expected);
}

// A pool at its limit: the appender works with small buffers of its own,
// two of them, so the caller does not wait for each write.
TEST_P(DirectAppenderTest, APoolAtItsLimitGivesTwoSmallBuffers) {
  constexpr size_t kLarge = 2 * DirectAppender::kSmallBufferBytes;
  AlignedBuffers pool(kLarge);
  AlignedBuffers::Buffer held = pool.TryTake(kLarge);
  ASSERT_NE(held.get(), nullptr);
  DirectAppender appender(fd_.get(), "file", kLarge, pool);
  EXPECT_EQ(appender.buffer_bytes(), DirectAppender::kSmallBufferBytes);
  EXPECT_EQ(pool.in_use_bytes(), kLarge + DirectAppender::kSmallBufferBytes);
  std::string expected;
  for (int i = 0; i < 3; ++i) {
    std::string piece = Pattern(DirectAppender::kSmallBufferBytes / 2 + 11 * i, i);
    ASSERT_THAT(appender.Append(piece), IsOk());
    expected += piece;
  }
  EXPECT_EQ(pool.in_use_bytes(), kLarge + 2 * DirectAppender::kSmallBufferBytes);
  std::string piece = Pattern(3 * DirectAppender::kSmallBufferBytes + 5, 7);
  ASSERT_THAT(appender.Append(piece), IsOk());
  expected += piece;
  ASSERT_THAT(appender.Sync(), IsOk());
  ExpectFileHolds(path_, expected);
}

TEST_P(DirectAppenderTest, AnEmptyFileSyncsToZeroBytes) {
  DirectAppender appender(fd_.get(), "file", kBuffer);
  ASSERT_THAT(appender.Sync(), IsOk());
  ExpectFileHolds(path_, "");
}

TEST_P(DirectAppenderTest, AWriteErrorIsReportedByALaterCall) {
  // A read-only fd: the writer thread's pwrite fails with EBADF.
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  DirectAppender appender(fd.get(), "file", kBuffer);
  std::string piece = Pattern(kBuffer, 1);
  absl::Status status;
  for (int i = 0; i < 3 && status.ok(); ++i) status = appender.Append(piece);
  if (status.ok()) status = appender.Sync();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("write file"));
}

TEST(DirectAppenderContinueTest, ContinuesAFileWrittenThroughThePageCache) {
  testing::TempDir dir;
  std::string path = dir.Sub("file");
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd.valid());
  // An unaligned start: the partial block is read back and rewritten.
  std::string expected = Pattern(3 * DirectAppender::kAlignment + 123, 9);
  ASSERT_EQ(::write(fd.get(), expected.data(), expected.size()), static_cast<ssize_t>(expected.size()));
  auto appender = DirectAppender::Continue(fd.get(), "file", expected.size(), kBuffer);
  ASSERT_THAT(appender.status(), IsOk());
  EXPECT_EQ((*appender)->size(), expected.size());
  for (int i = 0; i < 20; ++i) {
    std::string piece = Pattern(9'999 + i, i);
    ASSERT_THAT((*appender)->Append(piece), IsOk());
    expected += piece;
  }
  ASSERT_THAT((*appender)->Sync(), IsOk());
  ExpectFileHolds(path, expected);
}

INSTANTIATE_TEST_SUITE_P(DirectAndBuffered, DirectAppenderTest, ::testing::Bool());

}  // namespace
}  // namespace spoolgate
