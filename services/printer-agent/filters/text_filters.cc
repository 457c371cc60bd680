#include "services/printer-agent/filters/text_filters.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/text/wire_text.h"

namespace spoolgate::agent {
namespace {

constexpr int kHeaderLines = 5;
constexpr int kTrailerLines = 5;
constexpr int kDefaultPageWidth = 72;

// Control characters that 'f' and 'p' keep (RFC 1179 7.19).
bool KeptControl(unsigned char c) {
  return c == '\t' || c == '\r' || c == '\f' || c == '\n' || c == '\b';
}

bool Printable(unsigned char c) { return c >= 0x20 && c != 0x7f; }

// Column after `c` at `column`; tabs stop every 8 columns.
int Advance(unsigned char c, int column) {
  if (c == '\t') return (column / 8 + 1) * 8;
  if (c == '\b') return column > 0 ? column - 1 : 0;
  if (c == '\r') return 0;
  return column + 1;
}

}  // namespace

std::unique_ptr<Filter> MakeFilter(absl::string_view format, const FilterOptions& options,
                                   bool* rendered) {
  *rendered = true;
  if (format == "f") return std::make_unique<FormattedFilter>(options);
  if (format == "p") return std::make_unique<PrFilter>(options);
  if (format == "r") return std::make_unique<FortranFilter>();
  // 'l' (with control characters), 'o' (PostScript) and raw uploads go to
  // the printer unchanged; so does everything we cannot render.
  if (format != "l" && format != "o" && format != "raw" && !format.empty()) *rendered = false;
  return std::make_unique<PassThroughFilter>();
}

absl::Status FormattedFilter::Write(absl::string_view data, const Sink& sink) {
  out_.clear();
  for (unsigned char c : data) {
    if (!Printable(c) && !KeptControl(c)) continue;
    if (!columns_.StartsCharacter(c)) {  // the rest of a UTF-8 character
      if (!cutting_) out_.push_back(static_cast<char>(c));
      continue;
    }
    if (c == '\n' || c == '\f') {
      out_.push_back(static_cast<char>(c));
      line_start_ = true;
      column_ = 0;
      continue;
    }
    if (line_start_ && options_.indent > 0) {
      out_.append(static_cast<size_t>(options_.indent), ' ');
    }
    line_start_ = false;
    int next = Advance(c, column_);
    cutting_ = options_.width > 0 && next > options_.width && c != '\r' && c != '\b';
    if (cutting_) continue;
    column_ = next;
    out_.push_back(static_cast<char>(c));
  }
  return out_.empty() ? absl::OkStatus() : sink(out_);
}

absl::Status FormattedFilter::Finish(const Sink&) { return absl::OkStatus(); }

PrFilter::PrFilter(const FilterOptions& options) : options_(options) {
  if (options_.page_lines < kHeaderLines + kTrailerLines + 1) options_.page_lines = 66;
  if (options_.width <= 0) options_.width = kDefaultPageWidth;
  body_lines_ = options_.page_lines - kHeaderLines - kTrailerLines;
}

void PrFilter::Header() {
  ++page_;
  in_page_ = true;
  line_ = 0;
  std::string date = absl::FormatTime("%Y-%m-%d %H:%M", options_.date, options_.zone);
  std::string page = absl::StrCat("Page ", page_);
  int width = options_.width;
  int title_len = static_cast<int>(text::CharacterCount(options_.title));
  int left_room = width - static_cast<int>(date.size()) - static_cast<int>(page.size());
  std::string title = options_.title;
  if (title_len > left_room - 2) {
    title = std::string(
        text::CharacterPrefix(title, static_cast<size_t>(std::max(0, left_room - 2))));
    title_len = static_cast<int>(text::CharacterCount(title));
  }
  // date, title centred on the page, page number flush right
  int title_at = std::max(static_cast<int>(date.size()) + 1, (width - title_len) / 2);
  std::string line = date;
  line.append(static_cast<size_t>(title_at - static_cast<int>(line.size())), ' ');
  line += title;
  int pad = width - static_cast<int>(text::CharacterCount(line)) - static_cast<int>(page.size());
  line.append(static_cast<size_t>(std::max(1, pad)), ' ');
  line += page;
  absl::StrAppend(&out_, "\n\n", line, "\n\n\n");
}

void PrFilter::EndLine() {
  out_.push_back('\n');
  line_start_ = true;
  column_ = 0;
  if (++line_ == body_lines_) EndPage();
}

void PrFilter::EndPage() {
  for (; line_ < body_lines_; ++line_) out_.push_back('\n');
  out_.append(kTrailerLines, '\n');
  in_page_ = false;
}

absl::Status PrFilter::Write(absl::string_view data, const Sink& sink) {
  out_.clear();
  for (unsigned char c : data) {
    if (!Printable(c) && !KeptControl(c)) continue;
    if (!columns_.StartsCharacter(c)) {  // the rest of a UTF-8 character
      if (!cutting_) out_.push_back(static_cast<char>(c));
      continue;
    }
    if (!in_page_) Header();
    if (c == '\n') {
      EndLine();
      continue;
    }
    if (c == '\f') {
      if (!line_start_) {
        out_.push_back('\n');
        ++line_;
        line_start_ = true;
        column_ = 0;
      }
      EndPage();
      continue;
    }
    if (line_start_ && options_.indent > 0) out_.append(static_cast<size_t>(options_.indent), ' ');
    line_start_ = false;
    int next = Advance(c, column_);
    cutting_ = next > options_.width && c != '\r' && c != '\b';
    if (cutting_) continue;
    column_ = next;
    out_.push_back(static_cast<char>(c));
  }
  return out_.empty() ? absl::OkStatus() : sink(out_);
}

absl::Status PrFilter::Finish(const Sink& sink) {
  out_.clear();
  if (in_page_) {
    if (!line_start_) {
      out_.push_back('\n');
      ++line_;
    }
    EndPage();
  }
  return out_.empty() ? absl::OkStatus() : sink(out_);
}

absl::Status FortranFilter::Write(absl::string_view data, const Sink& sink) {
  out_.clear();
  for (char c : data) {
    if (line_start_) {
      line_start_ = false;
      any_output_ = true;
      char control = c == '\n' ? ' ' : c;
      switch (control) {
        case '0': out_ += first_line_ ? "\n" : "\n\n"; break;
        case '-': out_ += first_line_ ? "\n\n" : "\n\n\n"; break;
        case '1': out_ += first_line_ ? "\f" : "\n\f"; break;
        case '+': out_ += first_line_ ? "" : "\r"; break;
        default: out_ += first_line_ ? "" : "\n"; break;
      }
      first_line_ = false;
      if (c == '\n') line_start_ = true;  // an empty line: control ' ', no text
      continue;
    }
    if (c == '\n') {
      line_start_ = true;
      continue;
    }
    out_.push_back(c);
  }
  return out_.empty() ? absl::OkStatus() : sink(out_);
}

absl::Status FortranFilter::Finish(const Sink& sink) {
  return any_output_ ? sink("\n") : absl::OkStatus();
}

std::string BannerPage(const BannerInfo& info) {
  std::string rule(72, '*');
  std::string out = absl::StrCat(rule, "\n\n");
  absl::StrAppendFormat(&out, "    User:   %s\n", info.user);
  if (!info.job_name.empty()) absl::StrAppendFormat(&out, "    Job:    %s\n", info.job_name);
  if (!info.job_class.empty()) absl::StrAppendFormat(&out, "    Class:  %s\n", info.job_class);
  if (!info.host.empty()) absl::StrAppendFormat(&out, "    Host:   %s\n", info.host);
  absl::StrAppendFormat(&out, "    Job id: %d\n", info.job_id);
  absl::StrAppendFormat(&out, "    Date:   %s\n",
                        absl::FormatTime("%Y-%m-%d %H:%M:%S", info.date, info.zone));
  absl::StrAppend(&out, "\n", rule, "\n\f");
  return out;
}

}  // namespace spoolgate::agent
