#include "services/lpd-gateway/receive_job_parser.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace spoolgate::lpd {
namespace {
constexpr absl::string_view kNul("\0", 1);
constexpr size_t kMaxNameBytes = 255;
}  // namespace

absl::Status ReceiveJobParser::ProcessLine(std::vector<ReceiveEvent>* events) {
  absl::string_view line = line_;
  absl::ConsumeSuffix(&line, "\r");
  if (line.empty()) return absl::OkStatus();  // stray LF
  char code = line[0];
  if (code == '\1') {
    events->push_back(MakeEvent(ReceiveEvent::Kind::kAbort));
    return absl::OkStatus();
  }
  if (code != '\2' && code != '\3') {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("unknown receive-job subcommand ", static_cast<int>(static_cast<unsigned char>(code)))));
  }
  absl::string_view rest = line.substr(1);
  auto space = rest.find(' ');
  if (space == absl::string_view::npos) {
    return Fail(absl::InvalidArgumentError("subcommand without a file name"));
  }
  absl::string_view count_text = rest.substr(0, space);
  absl::string_view name = absl::StripAsciiWhitespace(rest.substr(space + 1));
  uint64_t count = 0;
  bool digits = !count_text.empty() && count_text.size() <= 20;
  for (char c : count_text) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (!digits || !absl::SimpleAtoi(count_text, &count)) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("bad byte count '", count_text, "'")));
  }
  // A name is only ever shown and logged, but a slash, a NUL or another
  // control byte has no business in one (RFC 1179 names are
  // dfA<number><host>).
  bool bad = name.empty() || name.size() > kMaxNameBytes;
  for (char c : name) bad = bad || c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  if (bad) return Fail(absl::InvalidArgumentError("bad file name"));
  ReceiveEvent start = MakeEvent(ReceiveEvent::Kind::kFileStart);
  start.control = code == '\2';
  start.count = count;
  start.name = std::string(name);
  events->push_back(std::move(start));
  count_ = count;
  remaining_ = count;
  state_ = count == 0 ? State::kZeroStart : State::kFileData;
  return absl::OkStatus();
}

absl::Status ReceiveJobParser::Feed(absl::string_view bytes, std::vector<ReceiveEvent>* events) {
  size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::kFailed:
        return absl::FailedPreconditionError("parser failed earlier");
      case State::kSubcommand: {
        size_t lf = bytes.find('\n', i);
        size_t end = lf == absl::string_view::npos ? bytes.size() : lf;
        if (line_.size() + (end - i) > options_.max_line_bytes) {
          return Fail(absl::ResourceExhaustedError(absl::StrCat(
              "subcommand line longer than ", options_.max_line_bytes, " bytes")));
        }
        line_.append(bytes.data() + i, end - i);
        i = end;
        if (lf == absl::string_view::npos) break;
        ++i;
        absl::Status s = ProcessLine(events);
        line_.clear();
        if (!s.ok()) return s;
        break;
      }
      case State::kFileData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size() - i));
        ReceiveEvent data = MakeEvent(ReceiveEvent::Kind::kData);
        data.data = bytes.substr(i, n);
        events->push_back(data);
        remaining_ -= n;
        i += n;
        if (remaining_ == 0) state_ = State::kTerminator;
        break;
      }
      case State::kTerminator:
        if (bytes[i] != '\0') {
          return Fail(absl::InvalidArgumentError("file not followed by \\0"));
        }
        ++i;
        events->push_back(MakeEvent(ReceiveEvent::Kind::kFileEnd));
        state_ = State::kSubcommand;
        break;
      case State::kZeroStart:
        if (bytes[i] == '\0') {
          ++i;
          events->push_back(MakeEvent(ReceiveEvent::Kind::kZeroCountNul));
          state_ = State::kZeroNul;
        } else {
          state_ = State::kStream;
        }
        break;
      case State::kZeroNul: {
        // More bytes after the \0: it was a stream that began with NUL.
        ReceiveEvent nul = MakeEvent(ReceiveEvent::Kind::kData);
        nul.data = kNul;
        events->push_back(nul);
        state_ = State::kStream;
        break;
      }
      case State::kStream: {
        ReceiveEvent data = MakeEvent(ReceiveEvent::Kind::kData);
        data.data = bytes.substr(i);
        events->push_back(data);
        i = bytes.size();
        break;
      }
    }
  }
  return absl::OkStatus();
}

uint64_t ReceiveJobParser::FileBytesAhead() const {
  switch (state_) {
    case State::kFileData:
      return remaining_;
    case State::kStream:
      return UINT64_MAX;
    default:
      return 0;
  }
}

void ReceiveJobParser::SkipFileBytes(uint64_t n) {
  n = std::min(n, FileBytesAhead());
  if (state_ != State::kFileData || n == 0) return;
  remaining_ -= n;
  if (remaining_ == 0) state_ = State::kTerminator;
}

absl::Status ReceiveJobParser::Finish(std::vector<ReceiveEvent>* events) {
  ReceiveEvent end = MakeEvent(ReceiveEvent::Kind::kFileEnd);
  end.at_close = true;
  switch (state_) {
    case State::kSubcommand:
      if (!line_.empty()) return Fail(absl::DataLossError("connection closed inside a subcommand"));
      return absl::OkStatus();
    case State::kFileData:
      if (count_ >= options_.stream_count_threshold) break;
      return Fail(absl::DataLossError(absl::StrCat("file cut short: ", count_ - remaining_,
                                                   " of ", count_, " bytes")));
    case State::kTerminator:
    case State::kZeroStart:
    case State::kZeroNul:
    case State::kStream:
      break;
    case State::kFailed:
      return absl::FailedPreconditionError("parser failed earlier");
  }
  events->push_back(end);
  state_ = State::kSubcommand;
  return absl::OkStatus();
}

void ReceiveJobParser::ResolveEmptyFile(std::vector<ReceiveEvent>* events) {
  if (state_ != State::kZeroNul) return;
  events->push_back(MakeEvent(ReceiveEvent::Kind::kFileEnd));
  state_ = State::kSubcommand;
}

}  // namespace spoolgate::lpd
