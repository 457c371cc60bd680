#include "services/spooler/list_cursor.h"

#include <gtest/gtest.h>

namespace spoolgate::spooler {
namespace {

TEST(ListCursorTest, ActiveAndHistoryCursorsRoundTrip) {
  ListCursor active;
  active.queue = "office-2.a_b";
  active.place = QueuePlace{1, 25, 123456789012};
  auto decoded = DecodeListCursor(EncodeListCursor(active));
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->in_history);
  EXPECT_EQ(decoded->queue, "office-2.a_b");
  EXPECT_EQ(decoded->place.rank, 1);
  EXPECT_EQ(decoded->place.priority, 25);
  EXPECT_EQ(decoded->place.id, 123456789012u);

  ListCursor history;
  history.in_history = true;
  history.finished_unix_micros = 1700000000123456;
  history.id = 42;
  decoded = DecodeListCursor(EncodeListCursor(history));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->in_history);
  EXPECT_EQ(decoded->finished_unix_micros, 1700000000123456);
  EXPECT_EQ(decoded->id, 42u);
}

TEST(ListCursorTest, AnythingElseIsRefused) {
  for (const char* token : {"", "!!!", "YXxx", "aHwxMnw", "aHx4fDE"}) {
    EXPECT_EQ(DecodeListCursor(token).status().code(), absl::StatusCode::kInvalidArgument)
        << token;
  }
}

}  // namespace
}  // namespace spoolgate::spooler
