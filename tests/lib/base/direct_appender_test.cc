#include "lib/base/direct_appender.h"

#include <fcntl.h>
#include <sys/stat.h>
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

constexpr size_t kBuffer = 64 << 10;  // small buffers: many hand-offs per test

// Bytes that differ from block to block, so a misplaced block shows.
std::string Pattern(size_t size, int seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + seed * 7) % 251);
  return s;
}

class DirectAppenderTest : public ::testing::TestWithParam<bool> {
 protected:
  // Direct I/O where the test directory's file system takes it; otherwise
  // (tmpfs) the same code runs through the page cache.
  UniqueFd Open(const std::string& path) {
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    UniqueFd fd(::open(path.c_str(), flags | (GetParam() ? O_DIRECT : 0), 0600));
    if (!fd.valid()) fd = UniqueFd(::open(path.c_str(), flags, 0600));
    return fd;
  }
  testing::TempDir dir_;
};

TEST_P(DirectAppenderTest, WhatWasAppendedReadsBackWholeAfterSync) {
  std::string path = dir_.Sub("file");
  UniqueFd fd = Open(path);
  ASSERT_TRUE(fd.valid());
  DirectAppender appender(fd.get(), "file", kBuffer);
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    // Odd sizes: buffers end inside appends, not on their edges.
    std::string piece = Pattern(10'000 + 37 * i, i);
    ASSERT_THAT(appender.Append(piece), IsOk()) << "append " << i;
    expected += piece;
  }
  ASSERT_THAT(appender.Sync(), IsOk());
  EXPECT_EQ(appender.size(), expected.size());
  auto read = ReadWholeFile(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->size(), expected.size());
  EXPECT_TRUE(*read == expected);
}

TEST_P(DirectAppenderTest, AppendsAfterASyncContinueTheFileWithoutPadding) {
  std::string path = dir_.Sub("file");
  UniqueFd fd = Open(path);
  ASSERT_TRUE(fd.valid());
  DirectAppender appender(fd.get(), "file", kBuffer);
  std::string expected;
  for (int round = 0; round < 4; ++round) {
    std::string piece = Pattern(kBuffer / 3 + round, round);
    ASSERT_THAT(appender.Append(piece), IsOk());
    expected += piece;
    ASSERT_THAT(appender.Sync(), IsOk()) << "round " << round;
    struct stat st;
    ASSERT_EQ(::fstat(fd.get(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_size), expected.size()) << "round " << round;
  }
  auto read = ReadWholeFile(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_TRUE(*read == expected);
}

TEST_P(DirectAppenderTest, AnEmptyFileSyncsToZeroBytes) {
  std::string path = dir_.Sub("file");
  UniqueFd fd = Open(path);
  ASSERT_TRUE(fd.valid());
  DirectAppender appender(fd.get(), "file", kBuffer);
  ASSERT_THAT(appender.Sync(), IsOk());
  auto read = ReadWholeFile(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_TRUE(read->empty());
}

TEST_P(DirectAppenderTest, AWriteErrorIsReportedByALaterCall) {
  // A read-only fd: the writer thread's pwrite fails with EBADF.
  std::string path = dir_.Sub("file");
  { UniqueFd create = Open(path); }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
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
  auto read = ReadWholeFile(path);
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->size(), expected.size());
  EXPECT_TRUE(*read == expected);
}

INSTANTIATE_TEST_SUITE_P(DirectAndBuffered, DirectAppenderTest, ::testing::Bool());

}  // namespace
}  // namespace spoolgate
