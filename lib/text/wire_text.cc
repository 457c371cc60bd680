#include "lib/text/wire_text.h"

#include <cstdint>

namespace spoolgate::text {
namespace {

// Windows-1252 0x80-0x9F; the five undefined bytes keep their C1 code point.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t SequenceLength(absl::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length;
  uint32_t cp;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (overlong || surrogate || cp > 0x10FFFF) return 0;
  return length;
}

}  // namespace

bool IsValidUtf8(absl::string_view bytes) {
  while (!bytes.empty()) {
    size_t n = SequenceLength(bytes);
    if (n == 0) return false;
    bytes.remove_prefix(n);
  }
  return true;
}

std::string DisplayUtf8(absl::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    AppendUtf8(c >= 0x80 && c < 0xA0 ? kCp1252High[c - 0x80] : c, &out);
  }
  return out;
}

size_t CharacterCount(absl::string_view bytes) {
  size_t count = 0;
  while (!bytes.empty()) {
    size_t n = SequenceLength(bytes);
    bytes.remove_prefix(n == 0 ? 1 : n);
    ++count;
  }
  return count;
}

absl::string_view CharacterPrefix(absl::string_view bytes, size_t characters) {
  size_t at = 0;
  for (size_t i = 0; i < characters && at < bytes.size(); ++i) {
    size_t n = SequenceLength(bytes.substr(at));
    at += n == 0 ? 1 : n;
  }
  return bytes.substr(0, at);
}

bool ColumnCounter::StartsCharacter(unsigned char c) {
  if (continuation_left_ > 0 && (c & 0xC0) == 0x80) {
    --continuation_left_;
    return false;
  }
  // A streaming filter cannot look ahead, so a lead byte is trusted to start
  // a sequence; a broken one costs at most a column's miscount.
  continuation_left_ = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2
                       : c >= 0xF0 && c <= 0xF4                    ? 3
                                                                   : 0;
  return true;
}

}  // namespace spoolgate::text
