#include "services/lpd-gateway/queue_listing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/text/wire_text.h"

namespace spoolgate::lpd {

std::string Rank(int n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return absl::StrCat(n, suffix);
}

namespace {

// `bytes` cut to `width` characters (the last three "..." when cut), then
// padded with spaces to `width` characters.
std::string Column(absl::string_view bytes, size_t width, bool ellipsis) {
  std::string out;
  if (text::CharacterCount(bytes) > width) {
    out = std::string(text::CharacterPrefix(bytes, ellipsis ? width - 3 : width));
    if (ellipsis) out += "...";
  } else {
    out = std::string(bytes);
  }
  out.append(width - text::CharacterCount(out), ' ');
  return out;
}

}  // namespace

bool QueueListingWriter::Selected(const ListingEntry& e) const {
  if (filter_.empty()) return true;
  std::string id = absl::StrCat(e.job);
  return std::find(filter_.begin(), filter_.end(), id) != filter_.end() ||
         std::find(filter_.begin(), filter_.end(), e.owner) != filter_.end();
}

std::string QueueListingWriter::Add(const ListingEntry& e) {
  std::string rank_text = !e.status.empty() ? e.status : e.active ? "active" : Rank(++rank_);
  if (!Selected(e)) return "";
  std::string out;
  uint64_t total = 0;
  std::vector<std::string> names;
  for (const auto& [name, bytes] : e.files) {
    total += bytes;
    names.push_back(name);
  }
  if (!any_ && !long_format_) out += "Rank   Owner      Job  Files                                 Total Size\n";
  any_ = true;
  if (long_format_) {
    std::string head = absl::StrCat(e.owner, ": ", rank_text);
    absl::StrAppend(&out, "\n", Column(head, std::max<size_t>(40, text::CharacterCount(head)), false),
                    "[job ", e.job, e.host, "]\n");
    for (const auto& [name, bytes] : e.files) {
      absl::StrAppend(&out, "        ", Column(name, std::max<size_t>(32, text::CharacterCount(name)), false),
                      " ", bytes, " bytes\n");
    }
  } else {
    absl::StrAppendFormat(&out, "%-7s%s %-5d%s%d bytes\n", rank_text, Column(e.owner, 10, false),
                          e.job, Column(absl::StrJoin(names, ", "), 37, true) + " ", total);
  }
  if (!e.reason.empty()) absl::StrAppend(&out, "       ", e.reason, "\n");
  return out;
}

std::string FormatQueueState(const std::string& status_line,
                             const std::vector<ListingEntry>& entries,
                             const std::vector<std::string>& filter, bool long_format) {
  QueueListingWriter writer(filter, long_format);
  std::string out = writer.Begin(status_line);
  for (const auto& e : entries) out += writer.Add(e);
  return out + writer.End();
}

}  // namespace spoolgate::lpd
