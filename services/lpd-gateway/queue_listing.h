// Queue state replies (RFC 1179 5.3, 5.4) in the layout BSD lpq prints,
// which LPRng's and rlpr's lpq pass through to the user. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spoolgate::lpd {

struct ListingEntry {
  uint64_t job = 0;         // spooler job id (what lprm takes)
  std::string owner;
  std::string host;
  bool active = false;      // printing now
  std::vector<std::pair<std::string, uint64_t>> files;  // name, bytes
  // Instead of a rank: "hold" for a held job; "done", "failed" or
  // "cancel" for a recently finished one.
  std::string status;
  std::string reason;       // why a finished job failed or was cancelled
};

// `status_line` is e.g. "office is ready and printing". Entries are in
// print order, finished ones last. Names are bytes as clients sent them;
// columns are padded and cut by characters (UTF-8 sequences count once). `filter` holds the command's list (users or job numbers);
// empty = everything.
std::string FormatQueueState(const std::string& status_line,
                             const std::vector<ListingEntry>& entries,
                             const std::vector<std::string>& filter, bool long_format);

// "1st", "2nd", "3rd", "4th", ... "11th", "21st".
std::string Rank(int n);

}  // namespace spoolgate::lpd
