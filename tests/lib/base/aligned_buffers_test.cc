#include "lib/base/aligned_buffers.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace spoolgate {
namespace {

TEST(AlignedBuffersTest, ABufferGivenBackIsTakenAgainForTheSameSize) {
  AlignedBuffers pool(1 << 20);
  char* first;
  {
    AlignedBuffers::Buffer b = pool.Take(64 << 10);
    ASSERT_NE(b.get(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.get()) % 4096, 0u);
    b.get()[0] = 'x';
    first = b.get();
  }
  EXPECT_EQ(pool.kept_bytes(), size_t{64 << 10});
  AlignedBuffers::Buffer larger = pool.Take(128 << 10);  // none kept is large enough
  EXPECT_NE(larger.get(), first);
  AlignedBuffers::Buffer again = pool.Take(64 << 10);
  EXPECT_EQ(again.get(), first);
  EXPECT_EQ(pool.kept_bytes(), 0u);
}

TEST(AlignedBuffersTest, ASmallerRequestGetsTheSmallestKeptBufferThatFits) {
  AlignedBuffers pool(1 << 20);
  char* small;
  char* large;
  {
    AlignedBuffers::Buffer a = pool.Take(256 << 10);
    AlignedBuffers::Buffer b = pool.Take(64 << 10);
    large = a.get();
    small = b.get();
  }
  AlignedBuffers::Buffer c = pool.Take(16 << 10);
  EXPECT_EQ(c.get(), small);
  AlignedBuffers::Buffer d = pool.Take(16 << 10);
  EXPECT_EQ(d.get(), large);
  d.reset();  // given back with its real size
  EXPECT_EQ(pool.kept_bytes(), size_t{256 << 10});
}

TEST(AlignedBuffersTest, KeepsNoMoreThanItsLimitAndFreesTheRest) {
  AlignedBuffers pool(256 << 10);
  {
    AlignedBuffers::Buffer a = pool.Take(128 << 10);
    AlignedBuffers::Buffer b = pool.Take(128 << 10);
    AlignedBuffers::Buffer c = pool.Take(128 << 10);
  }
  EXPECT_EQ(pool.kept_bytes(), size_t{256 << 10});
  AlignedBuffers::Buffer a = pool.Take(128 << 10);
  AlignedBuffers::Buffer b = pool.Take(128 << 10);
  AlignedBuffers::Buffer c = pool.Take(128 << 10);  // a new one
  EXPECT_EQ(pool.kept_bytes(), 0u);
  EXPECT_NE(c.get(), nullptr);
}

TEST(AlignedBuffersTest, TryTakeRefusesPastTheLimitAndTakeDoesNot) {
  AlignedBuffers pool(256 << 10);
  AlignedBuffers::Buffer a = pool.TryTake(128 << 10);
  AlignedBuffers::Buffer b = pool.TryTake(128 << 10);
  ASSERT_NE(a.get(), nullptr);
  ASSERT_NE(b.get(), nullptr);
  EXPECT_EQ(pool.TryTake(4096).get(), nullptr);
  AlignedBuffers::Buffer c = pool.Take(4096);
  EXPECT_NE(c.get(), nullptr);
  EXPECT_EQ(pool.in_use_bytes(), size_t{(256 << 10) + 4096});
  // Given back past the limit, a buffer is freed, not kept.
  c.reset();
  EXPECT_EQ(pool.kept_bytes(), 0u);
  b.reset();
  EXPECT_EQ(pool.kept_bytes(), size_t{128 << 10});
  EXPECT_EQ(pool.in_use_bytes(), size_t{128 << 10});
}

TEST(AlignedBuffersTest, KeptBuffersTooSmallForATryTakeAreFreedToMakeRoom) {
  AlignedBuffers pool(256 << 10);
  {
    AlignedBuffers::Buffer a = pool.Take(64 << 10);
    AlignedBuffers::Buffer b = pool.Take(64 << 10);
  }
  EXPECT_EQ(pool.kept_bytes(), size_t{128 << 10});
  AlignedBuffers::Buffer whole = pool.TryTake(256 << 10);
  EXPECT_NE(whole.get(), nullptr);
  EXPECT_EQ(pool.kept_bytes(), 0u);
  EXPECT_EQ(pool.in_use_bytes(), size_t{256 << 10});
}

TEST(AlignedBuffersTest, ABufferMayOutliveTheCallThatTookIt) {
  AlignedBuffers::Buffer moved;
  {
    AlignedBuffers::Buffer b = AlignedBuffers::ForDirectIo().Take(4096);
    moved = std::move(b);
  }
  ASSERT_NE(moved.get(), nullptr);
  moved.get()[4095] = 1;
}

}  // namespace
}  // namespace spoolgate
