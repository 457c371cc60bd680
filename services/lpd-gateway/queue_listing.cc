#include "services/lpd-gateway/queue_listing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

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

std::string FormatQueueState(const std::string& status_line,
                             const std::vector<ListingEntry>& entries,
                             const std::vector<std::string>& filter, bool long_format) {
  auto selected = [&](const ListingEntry& e) {
    if (filter.empty()) return true;
    std::string id = absl::StrCat(e.job);
    return std::find(filter.begin(), filter.end(), id) != filter.end() ||
           std::find(filter.begin(), filter.end(), e.owner) != filter.end();
  };
  std::string out = status_line + "\n";
  int rank = 0;
  bool any = false;
  for (const auto& e : entries) {
    std::string rank_text = e.active ? "active" : Rank(++rank);
    if (!selected(e)) continue;
    uint64_t total = 0;
    std::vector<std::string> names;
    for (const auto& [name, bytes] : e.files) {
      total += bytes;
      names.push_back(name);
    }
    if (!any && !long_format) out += "Rank   Owner      Job  Files                                 Total Size\n";
    any = true;
    if (long_format) {
      std::string head = absl::StrCat(e.owner, ": ", rank_text);
      absl::StrAppendFormat(&out, "\n%-40s[job %d%s]\n", head, e.job, e.host);
      for (const auto& [name, bytes] : e.files) absl::StrAppendFormat(&out, "        %-32s %d bytes\n", name, bytes);
    } else {
      std::string files = absl::StrJoin(names, ", ");
      if (files.size() > 37) files = files.substr(0, 34) + "...";
      absl::StrAppendFormat(&out, "%-7s%-11s%-5d%-38s%d bytes\n", rank_text, e.owner.substr(0, 10),
                            e.job, files, total);
    }
  }
  if (!any) out += "no entries\n";
  return out;
}

}  // namespace spoolgate::lpd
