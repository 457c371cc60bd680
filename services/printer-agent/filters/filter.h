// Filters turn a document's bytes into device bytes, streaming: Write() may
// be called with any split of the input and emits through the sink; Finish()
// flushes what a partial line held back. Pure: no I/O besides the sink.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace spoolgate::agent {

using Sink = std::function<absl::Status(absl::string_view)>;

class Filter {
 public:
  virtual ~Filter() = default;
  virtual absl::Status Write(absl::string_view data, const Sink& sink) = 0;
  virtual absl::Status Finish(const Sink& sink) = 0;
  // Pages produced so far, where the filter lays out pages itself (p);
  // 0 where it cannot know.
  virtual int pages() const { return 0; }
};

struct FilterOptions {
  std::string title;       // p: header title (T line, else J, else file name)
  int indent = 0;          // I: columns to indent each line (f, p)
  int width = 0;           // W: line width, 0 = unlimited (f); page width for p (default 72)
  int page_lines = 66;     // p: lines per page
  absl::Time date;         // p: header date
  absl::TimeZone zone = absl::UTCTimeZone();
};

// The filter for an LPD format letter. `raw` is set false when the format
// is one we cannot render (c d g n t v): the bytes pass through unchanged
// and the caller records a warning.
std::unique_ptr<Filter> MakeFilter(absl::string_view format, const FilterOptions& options,
                                   bool* rendered);

}  // namespace spoolgate::agent
