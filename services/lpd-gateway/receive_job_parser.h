// The "receive job" subcommand stream of RFC 1179 section 6 as real clients
// send it (docs/protocols.md, "Client quirks"), fed in arbitrary splits. Pure.
//
//   \001 LF                 abort job (6.1)
//   \002 count SP name LF   control file follows: count bytes, then \0 (6.2)
//   \003 count SP name LF   data file follows: count bytes, then \0 (6.3)
//
// Deviations, all seen on the wire:
// - an EOF right after the announced bytes ends the file like the \0 would
//   (CUPS stream mode);
// - a count of 0 means either "until the connection closes" (LPRng -k) or an
//   empty file (rlpr, CUPS): a lone \0 followed by silence is an empty file.
//   The parser reports kZeroCountNul and the caller, which can see the
//   silence, calls ResolveEmptyFile();
// - a count of at least `stream_count_threshold` followed by a close is a
//   stream (CUPS 999999999999, Windows without byte counting); a smaller
//   count cut short by a close is a truncated job (DataLoss);
// - a bare LF where a subcommand should start is skipped (peers that send
//   LF after their \0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace spoolgate::lpd {

struct ReceiveJobOptions {
  size_t max_line_bytes = 1024;  // a subcommand line longer than this is refused
  uint64_t stream_count_threshold = 4294967295ull;  // counts >= this may end at close
};

struct ReceiveEvent {
  enum class Kind {
    kAbort,         // \001: discard the job so far
    kFileStart,     // acknowledge (or refuse) now
    kData,          // file bytes
    kFileEnd,       // the file is complete: acknowledge after storing it
    kZeroCountNul,  // count 0 then \0: empty file unless more bytes follow
  };
  Kind kind = Kind::kData;
  bool control = false;     // kFileStart: control file (\002), else data file
  uint64_t count = 0;       // kFileStart: announced length (0: see above)
  std::string name;         // kFileStart
  absl::string_view data;   // kData: valid until the next call
  bool at_close = false;    // kFileEnd: ended by the connection's close
};

inline ReceiveEvent MakeEvent(ReceiveEvent::Kind kind) {
  ReceiveEvent event;
  event.kind = kind;
  return event;
}

class ReceiveJobParser {
 public:
  explicit ReceiveJobParser(ReceiveJobOptions options = {}) : options_(options) {}

  // Consumes all of `bytes`, appending what it recognised. InvalidArgument
  // for malformed input, ResourceExhausted for an over-long line; the
  // parser is unusable afterwards.
  absl::Status Feed(absl::string_view bytes, std::vector<ReceiveEvent>* events);
  // The peer closed its sending side. Ends a streamed file; DataLoss if a
  // file was cut short.
  absl::Status Finish(std::vector<ReceiveEvent>* events);
  // After kZeroCountNul and silence: the file was empty.
  void ResolveEmptyFile(std::vector<ReceiveEvent>* events);
  bool awaiting_empty_file_decision() const { return state_ == State::kZeroNul; }
  // Between subcommands with nothing buffered.
  bool idle() const { return state_ == State::kSubcommand && line_.empty(); }

  // How many of the next bytes are certainly the current file's: the rest
  // of a counted file, or any number in a stream; 0 anywhere else. A caller
  // may read that many into place instead of feeding them, and then call
  // SkipFileBytes: as Feed would, without the kData event.
  uint64_t FileBytesAhead() const;
  void SkipFileBytes(uint64_t n);

 private:
  enum class State { kSubcommand, kFileData, kTerminator, kZeroStart, kZeroNul, kStream, kFailed };
  absl::Status ProcessLine(std::vector<ReceiveEvent>* events);
  absl::Status Fail(absl::Status status) {
    state_ = State::kFailed;
    return status;
  }

  const ReceiveJobOptions options_;
  State state_ = State::kSubcommand;
  std::string line_;
  uint64_t remaining_ = 0;
  uint64_t count_ = 0;
};

}  // namespace spoolgate::lpd
