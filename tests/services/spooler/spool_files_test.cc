#include "services/spooler/spool_files.h"

#include <sys/stat.h>

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/base/aligned_buffers.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;
using ::spoolgate::testing::TempDir;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string ReadFrom(const SpoolFiles& files, const std::string& name, uint64_t offset,
                     size_t block) {
  std::string out;
  EXPECT_THAT(files.Read(name, offset, block,
                         [&](uint64_t at, absl::string_view data) {
                           EXPECT_EQ(at, offset + out.size());
                           EXPECT_LE(data.size(), block);
                           out.append(data.data(), data.size());
                           return true;
                         }),
              IsOk());
  return out;
}

TEST(SpoolFilesTest, NamesSortByJobAndCarryTheDocument) {
  EXPECT_EQ(SpoolFiles::NameFor(42, 3), "00000000000000000042-3.spool");
  EXPECT_LT(SpoolFiles::NameFor(9, 0), SpoolFiles::NameFor(10, 0));
}

TEST(SpoolFilesTest, WrittenBytesReadBackFromAnyOffsetInBlocks) {
  TempDir dir;
  auto files = SpoolFiles::Open(dir.path() + "/spool");
  ASSERT_THAT(files, IsOk());
  auto writer = files->Create(1, 0, ChecksumAlgorithm::kXxh3_128);
  ASSERT_THAT(writer, IsOk());
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7);
  ASSERT_THAT((*writer)->Append(data.substr(0, 300)), IsOk());
  ASSERT_THAT((*writer)->Append(data.substr(300)), IsOk());
  ASSERT_THAT((*writer)->Sync(), IsOk());
  EXPECT_EQ((*writer)->size(), 1000u);
  EXPECT_EQ(ReadFrom(*files, (*writer)->name(), 0, 64), data);
  EXPECT_EQ(ReadFrom(*files, (*writer)->name(), 999, 64), data.substr(999));
  EXPECT_EQ(ReadFrom(*files, (*writer)->name(), 1000, 64), "");
  EXPECT_EQ((*writer)->FinishChecksum(), Checksum::Of(ChecksumAlgorithm::kXxh3_128, data));
}

// Files of several read blocks (4 MiB each), ending inside a block and on
// its edge: the read-ahead hands over every byte once and in order.
TEST(SpoolFilesTest, FilesOfSeveralBlocksReadBackWholeFromAnyOffset) {
  TempDir dir;
  auto files = *SpoolFiles::Open(dir.path());
  constexpr size_t kBlock = 4 << 20;
  for (size_t size : {2 * kBlock + 12345, 2 * kBlock}) {
    auto writer = *files.Create(size, 0, ChecksumAlgorithm::kXxh3_128);
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131) % 251);
    ASSERT_THAT(writer->Append(data), IsOk());
    ASSERT_THAT(writer->Sync(), IsOk());
    for (uint64_t offset : {uint64_t{0}, uint64_t{kBlock - 1}, uint64_t{kBlock + 4096},
                            uint64_t{size - 1}, uint64_t{size}}) {
      std::string read = ReadFrom(files, writer->name(), offset, 1 << 20);
      EXPECT_EQ(read.size(), size - offset) << "size " << size << " offset " << offset;
      EXPECT_TRUE(read == data.substr(offset)) << "size " << size << " offset " << offset;
    }
  }
}

// With many uploads at once, the buffer pool is at its limit: a file is
// then written through a small buffer and read without read-ahead, and
// still reads back whole.
TEST(SpoolFilesTest, FilesWrittenAndReadWithThePoolAtItsLimitReadBackWhole) {
  TempDir dir;
  auto files = *SpoolFiles::Open(dir.path());
  std::vector<AlignedBuffers::Buffer> held;
  while (auto b = AlignedBuffers::ForDirectIo().TryTake(1 << 20)) held.push_back(std::move(b));
  constexpr size_t kSize = (9 << 20) + 777;
  auto writer = *files.Create(7, 0, ChecksumAlgorithm::kXxh3_128);
  std::string data(kSize, '\0');
  for (size_t i = 0; i < kSize; ++i) data[i] = static_cast<char>((i * 131) % 251);
  for (size_t at = 0; at < kSize; at += 100'000) {
    ASSERT_THAT(writer->Append(absl::string_view(data).substr(at, 100'000)), IsOk());
  }
  ASSERT_THAT(writer->Sync(), IsOk());
  for (uint64_t offset : {uint64_t{0}, uint64_t{(4 << 20) + 3}}) {
    std::string read = ReadFrom(files, writer->name(), offset, 1 << 20);
    EXPECT_EQ(read.size(), kSize - offset) << "offset " << offset;
    EXPECT_TRUE(read == data.substr(offset)) << "offset " << offset;
  }
}

TEST(SpoolFilesTest, AReaderMayStopEarly) {
  TempDir dir;
  auto files = *SpoolFiles::Open(dir.path());
  auto writer = *files.Create(2, 1, ChecksumAlgorithm::kXxh3_128);
  ASSERT_THAT(writer->Append(std::string(100, 'a')), IsOk());
  ASSERT_THAT(writer->Sync(), IsOk());
  int calls = 0;
  ASSERT_THAT(files.Read(writer->name(), 0, 10, [&](uint64_t, absl::string_view) { return ++calls < 3; }),
              IsOk());
  EXPECT_EQ(calls, 3);
}

TEST(SpoolFilesTest, AMissingFileIsDataLossAndRemoveIsIdempotent) {
  TempDir dir;
  auto files = *SpoolFiles::Open(dir.path());
  EXPECT_THAT(files.Read("00000000000000000001-0.spool", 0, 10, [](uint64_t, absl::string_view) { return true; }),
              StatusIs(absl::StatusCode::kDataLoss));
  auto writer = *files.Create(1, 0, ChecksumAlgorithm::kXxh3_128);
  EXPECT_THAT(files.Remove(writer->name()), IsOk());
  EXPECT_THAT(files.Remove(writer->name()), IsOk());
  EXPECT_FALSE(Exists(dir.path() + "/" + writer->name()));
}

TEST(SpoolFilesTest, RemoveAllExceptKeepsOnlyTheNamedFiles) {
  TempDir dir;
  auto files = *SpoolFiles::Open(dir.path());
  auto keep = *files.Create(1, 0, ChecksumAlgorithm::kXxh3_128);
  auto orphan = *files.Create(2, 0, ChecksumAlgorithm::kXxh3_128);
  auto other = *files.Create(3, 4, ChecksumAlgorithm::kXxh3_128);
  auto removed = files.RemoveAllExcept({keep->name()});
  ASSERT_THAT(removed, IsOk());
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(Exists(dir.path() + "/" + keep->name()));
  EXPECT_FALSE(Exists(dir.path() + "/" + orphan->name()));
  EXPECT_FALSE(Exists(dir.path() + "/" + other->name()));
}

}  // namespace
}  // namespace spoolgate::spooler
