// Text that arrived on the wire is kept as the bytes the client sent (a
// Windows client's "Müller" is Latin-1, a Linux client's is UTF-8). These
// helpers are for the places that must show such bytes to a person or count
// their characters. Pure.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace spoolgate::text {

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view bytes);

// `bytes` as UTF-8 for display: valid UTF-8 is returned unchanged; anything
// else is read as Windows-1252 (Latin-1 with the printable 0x80-0x9F range
// of Windows), which is what non-UTF-8 office clients send.
std::string DisplayUtf8(absl::string_view bytes);

// How many characters `bytes` shows: UTF-8 sequences count once; a byte that
// is not part of a valid sequence counts as one character of its own.
size_t CharacterCount(absl::string_view bytes);

// The longest prefix of `bytes` with at most `characters` characters, never
// ending inside a UTF-8 sequence.
absl::string_view CharacterPrefix(absl::string_view bytes, size_t characters);

// Counts columns byte by byte for the streaming text filters: a byte that
// continues a valid UTF-8 sequence takes no column of its own.
class ColumnCounter {
 public:
  // True if `c` starts a character (a column); false for a continuation
  // byte of the character before it.
  bool StartsCharacter(unsigned char c);

 private:
  int continuation_left_ = 0;  // continuation bytes still expected
};

}  // namespace spoolgate::text
