// The text filters of RFC 1179 section 7: 'f' (formatted text), 'p' (pr
// with page headers) and 'r' (FORTRAN carriage control), plus pass-through.
// All stream byte by byte with O(1) state: a document of any size and any
// line length costs no memory.
#pragma once

#include <string>

#include "lib/text/wire_text.h"
#include "services/printer-agent/filters/filter.h"

namespace spoolgate::agent {

class PassThroughFilter : public Filter {
 public:
  absl::Status Write(absl::string_view data, const Sink& sink) override { return sink(data); }
  absl::Status Finish(const Sink&) override { return absl::OkStatus(); }
};

// 'f': drops control characters other than HT CR FF LF BS (7.19); indents
// each line by `indent` columns (7.3) and truncates lines at `width` (7.12),
// as BSD lpf does. Columns are characters: a UTF-8 sequence takes one and
// is never cut in half.
class FormattedFilter : public Filter {
 public:
  explicit FormattedFilter(const FilterOptions& options) : options_(options) {}
  absl::Status Write(absl::string_view data, const Sink& sink) override;
  absl::Status Finish(const Sink& sink) override;

 private:
  FilterOptions options_;
  bool line_start_ = true;
  int column_ = 0;
  text::ColumnCounter columns_;
  bool cutting_ = false;  // the current character is past the width
  std::string out_;  // reused output buffer
};

// 'p': pages of `page_lines` lines like pr(1): a 5-line header (date, title,
// page number on line 3), the body, a 5-line trailer. FF starts a new page.
class PrFilter : public Filter {
 public:
  explicit PrFilter(const FilterOptions& options);
  absl::Status Write(absl::string_view data, const Sink& sink) override;
  absl::Status Finish(const Sink& sink) override;
  int pages() const override { return page_; }

 private:
  void Header();
  void EndPage();  // pads the body and writes the trailer
  void EndLine();

  FilterOptions options_;
  int body_lines_;
  int page_ = 0;       // pages started
  int line_ = 0;       // body lines done on the current page
  bool in_page_ = false;
  bool line_start_ = true;
  int column_ = 0;
  text::ColumnCounter columns_;
  bool cutting_ = false;  // the current character is past the width
  std::string out_;
};

// 'r': FORTRAN carriage control in the first column (7.26), as asa(1):
// ' ' next line, '0' skip one line, '-' skip two, '1' new page, '+' overprint.
class FortranFilter : public Filter {
 public:
  absl::Status Write(absl::string_view data, const Sink& sink) override;
  absl::Status Finish(const Sink& sink) override;

 private:
  bool line_start_ = true;
  bool first_line_ = true;
  bool any_output_ = false;
  std::string out_;
};

struct BannerInfo {
  std::string user;      // L
  std::string job_name;  // J
  std::string job_class; // C
  std::string host;      // H
  uint64_t job_id = 0;
  absl::Time date;
  absl::TimeZone zone = absl::UTCTimeZone();
};

// A plain-text banner page ending in a form feed.
std::string BannerPage(const BannerInfo& info);

}  // namespace spoolgate::agent
