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

// Writes a queue state reply a piece at a time, so that a long queue is
// sent as it is read from the spooler, never held whole.
class QueueListingWriter {
 public:
  // `filter` holds the command's list (users or job numbers); empty =
  // everything.
  QueueListingWriter(std::vector<std::string> filter, bool long_format)
      : filter_(std::move(filter)), long_format_(long_format) {}
  // The first line(s): `status_line` and a newline.
  std::string Begin(const std::string& status_line) const { return status_line + "\n"; }
  // The lines of the next entry in print order (finished ones last); empty
  // when the filter leaves it out.
  std::string Add(const ListingEntry& entry);
  // What ends the reply ("no entries" when nothing was listed).
  std::string End() const { return any_ ? "" : "no entries\n"; }

 private:
  bool Selected(const ListingEntry& entry) const;

  const std::vector<std::string> filter_;
  const bool long_format_;
  int rank_ = 0;
  bool any_ = false;
};

// The whole reply at once: `status_line` is e.g. "office is ready and printing". Entries are in
// print order, finished ones last. Names are bytes as clients sent them;
// columns are padded and cut by characters (UTF-8 sequences count once). `filter` holds the command's list (users or job numbers);
// empty = everything.
std::string FormatQueueState(const std::string& status_line,
                             const std::vector<ListingEntry>& entries,
                             const std::vector<std::string>& filter, bool long_format);

// "1st", "2nd", "3rd", "4th", ... "11th", "21st".
std::string Rank(int n);

}  // namespace spoolgate::lpd
