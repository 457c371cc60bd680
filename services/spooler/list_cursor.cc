#include "services/spooler/list_cursor.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace spoolgate::spooler {

// Token text before base64: "a|queue|rank|priority|id" or "h|micros|id".
// Queue names never contain '|'.
std::string EncodeListCursor(const ListCursor& cursor) {
  std::string text =
      cursor.in_history
          ? absl::StrCat("h|", cursor.finished_unix_micros, "|", cursor.id)
          : absl::StrCat("a|", cursor.queue, "|", cursor.place.rank, "|", cursor.place.priority,
                         "|", cursor.place.id);
  return absl::WebSafeBase64Escape(text);
}

absl::StatusOr<ListCursor> DecodeListCursor(absl::string_view token) {
  auto bad = absl::InvalidArgumentError("bad page token");
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return bad;
  std::vector<absl::string_view> parts = absl::StrSplit(text, '|');
  ListCursor cursor;
  if (parts.size() == 3 && parts[0] == "h") {
    cursor.in_history = true;
    if (!absl::SimpleAtoi(parts[1], &cursor.finished_unix_micros) ||
        !absl::SimpleAtoi(parts[2], &cursor.id)) {
      return bad;
    }
    return cursor;
  }
  if (parts.size() == 5 && parts[0] == "a" && !parts[1].empty()) {
    cursor.queue = std::string(parts[1]);
    if (!absl::SimpleAtoi(parts[2], &cursor.place.rank) ||
        !absl::SimpleAtoi(parts[3], &cursor.place.priority) ||
        !absl::SimpleAtoi(parts[4], &cursor.place.id)) {
      return bad;
    }
    return cursor;
  }
  return bad;
}

}  // namespace spoolgate::spooler
