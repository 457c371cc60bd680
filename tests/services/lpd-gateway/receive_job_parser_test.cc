#include "services/lpd-gateway/receive_job_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/testing/status_matchers.h"

namespace spoolgate::lpd {
namespace {
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;
using Kind = ReceiveEvent::Kind;

// A string literal's bytes, embedded NULs included, without its terminator.
template <size_t N>
std::string B(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// What a run of events amounts to, with data copied out of the views.
struct Summary {
  std::vector<std::string> starts;  // "C:name:count" or "D:name:count"
  std::vector<std::string> files;   // contents of each completed file
  int aborts = 0;
  int zero_nuls = 0;
  std::string current;
  void Add(const std::vector<ReceiveEvent>& events) {
    for (const auto& e : events) {
      switch (e.kind) {
        case Kind::kFileStart:
          starts.push_back(std::string(e.control ? "C:" : "D:") + e.name + ":" + std::to_string(e.count));
          current.clear();
          break;
        case Kind::kData: current.append(e.data.data(), e.data.size()); break;
        case Kind::kFileEnd: files.push_back(current); current.clear(); break;
        case Kind::kAbort: ++aborts; break;
        case Kind::kZeroCountNul: ++zero_nuls; break;
      }
    }
  }
};

Summary Parse(absl::string_view input, bool bytewise, bool finish = true) {
  ReceiveJobParser parser;
  Summary summary;
  std::vector<ReceiveEvent> events;
  if (bytewise) {
    for (char c : input) {
      EXPECT_THAT(parser.Feed(absl::string_view(&c, 1), &events), IsOk());
      summary.Add(events);
      events.clear();
    }
  } else {
    EXPECT_THAT(parser.Feed(input, &events), IsOk());
    summary.Add(events);
    events.clear();
  }
  if (finish) {
    EXPECT_THAT(parser.Finish(&events), IsOk());
    summary.Add(events);
  }
  return summary;
}

const std::string kControlFirst = B("\0028 cfA123host\nHh\nPbob\n\0") +
                                  B("\0035 dfA123host\nhello\0");

TEST(ReceiveJobParserTest, ControlFirstWholeAndBytewise) {
  for (bool bytewise : {false, true}) {
    Summary s = Parse(kControlFirst, bytewise);
    EXPECT_THAT(s.starts, ::testing::ElementsAre("C:cfA123host:8", "D:dfA123host:5"));
    EXPECT_THAT(s.files, ::testing::ElementsAre("Hh\nPbob\n", "hello"));
  }
}

TEST(ReceiveJobParserTest, DataFirstAndSixDigitNumbers) {
  std::string input = B("\0033 dfA123456a.long.host\nabc\0") +
                      B("\0025 cfA123456a.long.host\nPbob\n\0");
  Summary s = Parse(input, true);
  EXPECT_THAT(s.starts, ::testing::ElementsAre("D:dfA123456a.long.host:3", "C:cfA123456a.long.host:5"));
  EXPECT_THAT(s.files, ::testing::ElementsAre("abc", "Pbob\n"));
}

TEST(ReceiveJobParserTest, FileDataMayContainAnyByte) {
  std::string data("\0\n\002\003\001\xff", 6);
  std::string input = std::string("\0036 dfA1h\n") + data + B("\0");
  Summary s = Parse(input, true);
  EXPECT_THAT(s.files, ::testing::ElementsAre(data));
}

TEST(ReceiveJobParserTest, AbortIsReported) {
  Summary s = Parse(B("\0033 dfA1h\nabc\0\001\n"), false);
  EXPECT_EQ(s.aborts, 1);
}

TEST(ReceiveJobParserTest, StrayLineFeedAfterTerminatorIsSkipped) {
  std::string input = B("\0031 dfA1h\nx\0\n\0031 dfB1h\ny\0");
  Summary s = Parse(input, false);
  EXPECT_THAT(s.files, ::testing::ElementsAre("x", "y"));
}

TEST(ReceiveJobParserTest, EofInPlaceOfTerminatorEndsTheFile) {
  Summary s = Parse("\0033 dfA1h\nabc", false);
  EXPECT_THAT(s.files, ::testing::ElementsAre("abc"));
}

TEST(ReceiveJobParserTest, CountZeroStreamsUntilClose) {
  Summary s = Parse("\0030 dfA1h\nstreamed data", true);
  EXPECT_THAT(s.files, ::testing::ElementsAre("streamed data"));
  EXPECT_EQ(s.zero_nuls, 0);
}

TEST(ReceiveJobParserTest, CountZeroThenLoneNulIsAnEmptyFileWhenResolved) {
  ReceiveJobParser parser;
  std::vector<ReceiveEvent> events;
  Summary s;
  std::string first = B("\0030 dfA1h\n\0"), second = B("\0021 cfA1h\nP\0");
  ASSERT_THAT(parser.Feed(first, &events), IsOk());
  EXPECT_TRUE(parser.awaiting_empty_file_decision());
  parser.ResolveEmptyFile(&events);  // the caller saw silence
  s.Add(events);
  events.clear();
  ASSERT_THAT(parser.Feed(second, &events), IsOk());
  s.Add(events);
  EXPECT_THAT(s.files, ::testing::ElementsAre("", "P"));
}

TEST(ReceiveJobParserTest, CountZeroNulFollowedByMoreIsAStreamStartingWithNul) {
  Summary s = Parse(B("\0030 dfA1h\n\0abc"), true);
  EXPECT_THAT(s.files, ::testing::ElementsAre(B("\0abc")));
}

TEST(ReceiveJobParserTest, HugeCountThenCloseIsAStream) {
  Summary s = Parse("\003999999999999 dfA1h\nwhole job", false);
  EXPECT_THAT(s.files, ::testing::ElementsAre("whole job"));
}

TEST(ReceiveJobParserTest, PlausibleCountCutShortIsDataLoss) {
  ReceiveJobParser parser;
  std::vector<ReceiveEvent> events;
  ASSERT_THAT(parser.Feed("\003100 dfA1h\nonly this", &events), IsOk());
  EXPECT_THAT(parser.Finish(&events), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ReceiveJobParserTest, CloseInsideASubcommandIsDataLoss) {
  ReceiveJobParser parser;
  std::vector<ReceiveEvent> events;
  ASSERT_THAT(parser.Feed("\00310 dfA", &events), IsOk());
  EXPECT_THAT(parser.Finish(&events), StatusIs(absl::StatusCode::kDataLoss));
}

// As the gateway reads a data file straight into place: whatever the
// parser says is certainly file data is skipped, the rest is fed.
TEST(ReceiveJobParserTest, FileBytesReadIntoPlaceAreSkipped) {
  const std::string input = kControlFirst + B("\0034 dfB123host\nwxyz\0");
  ReceiveJobParser parser;
  std::vector<ReceiveEvent> events;
  std::vector<std::string> starts;
  std::string taken;  // file bytes in order, from kData events and skips alike
  int ends = 0;
  size_t at = 0;
  while (at < input.size()) {
    uint64_t ahead = parser.FileBytesAhead();
    size_t n = std::min<size_t>(3, input.size() - at);  // small reads cross every boundary
    if (ahead > 0) {
      n = std::min<size_t>(n, ahead);
      taken.append(input, at, n);
      parser.SkipFileBytes(n);
    } else {
      ASSERT_THAT(parser.Feed(absl::string_view(input).substr(at, n), &events), IsOk());
      for (const auto& e : events) {
        if (e.kind == Kind::kFileStart) starts.push_back(e.name);
        if (e.kind == Kind::kData) taken.append(e.data.data(), e.data.size());
        if (e.kind == Kind::kFileEnd) ++ends;
      }
      events.clear();
    }
    at += n;
  }
  ASSERT_THAT(parser.Finish(&events), IsOk());
  EXPECT_TRUE(events.empty());
  EXPECT_THAT(starts, ::testing::ElementsAre("cfA123host", "dfA123host", "dfB123host"));
  EXPECT_EQ(taken, B("Hh\nPbob\n") + "hello" + "wxyz");
  EXPECT_EQ(ends, 3);
}

TEST(ReceiveJobParserTest, FileBytesAheadIsZeroOutsideAFile) {
  ReceiveJobParser parser;
  std::vector<ReceiveEvent> events;
  EXPECT_EQ(parser.FileBytesAhead(), 0u);
  ASSERT_THAT(parser.Feed("\0035 dfA1", &events), IsOk());  // inside the subcommand line
  EXPECT_EQ(parser.FileBytesAhead(), 0u);
  ASSERT_THAT(parser.Feed("h\nab", &events), IsOk());
  EXPECT_EQ(parser.FileBytesAhead(), 3u);
  parser.SkipFileBytes(10);  // more than the file holds: only the file's are taken
  EXPECT_EQ(parser.FileBytesAhead(), 0u);
  // The terminator must still come, and is checked.
  EXPECT_THAT(parser.Feed("x", &events), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ReceiveJobParserTest, StreamBytesAreAllTheFilesUntilClose) {
  ReceiveJobParser parser;
  std::vector<ReceiveEvent> events;
  ASSERT_THAT(parser.Feed("\0030 dfA1h\nabc", &events), IsOk());
  EXPECT_EQ(parser.FileBytesAhead(), UINT64_MAX);
  parser.SkipFileBytes(1 << 20);
  EXPECT_EQ(parser.FileBytesAhead(), UINT64_MAX);
  events.clear();
  ASSERT_THAT(parser.Finish(&events), IsOk());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kFileEnd);
  EXPECT_TRUE(events[0].at_close);
}

TEST(ReceiveJobParserTest, RefusesMalformedSubcommands) {
  for (const std::string& bad : {std::string("\004x y\n"), std::string("\003abc dfA\n"),
                                std::string("\003-1 dfA\n"), std::string("\003 dfA\n"),
                                std::string("\00310\n"), std::string("\00310 \n"),
                                std::string("\00310 ../../etc/passwd\n"),
                                std::string("\00310 dfA001h\0x\n", 14),
                                std::string("\00310 dfA001h\033x\n"),
                                std::string("\00310 dfA001h\177x\n"),
                                std::string("\003123456789012345678901 dfA\n"),
                                std::string("\0031 dfA\nxY")}) {
    ReceiveJobParser parser;
    std::vector<ReceiveEvent> events;
    EXPECT_THAT(parser.Feed(bad, &events), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(ReceiveJobParserTest, OverlongLineIsResourceExhausted) {
  ReceiveJobParser parser({/*max_line_bytes=*/64});
  std::vector<ReceiveEvent> events;
  EXPECT_THAT(parser.Feed(std::string(1 << 20, 'x'), &events),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// Decodes one Python bytes literal b'...' as the transcripts print them.
std::string PythonBytes(absl::string_view literal) {
  std::string out;
  size_t i = 2;  // after b'
  char quote = literal[1];
  for (; i < literal.size() && literal[i] != quote; ++i) {
    char c = literal[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    char e = literal[++i];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'x':
        out.push_back(static_cast<char>(std::stoi(std::string(literal.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
        break;
      default: out.push_back(e);  // \\ \' \"
    }
  }
  return out;
}

// Every receive-job connection in the real clients' transcripts, fed one
// byte at a time; where the client waited for an answer (each "<<" line),
// silence resolves a pending count-0 \0 as an empty file.
TEST(ReceiveJobParserTest, ReplaysEveryTranscript) {
  int connections = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SPOOLGATE_TRANSCRIPTS)) {
    std::ifstream in(entry.path());
    std::vector<std::vector<std::string>> conns;
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("=== connect") != std::string::npos) conns.emplace_back();
      auto at = line.find(" << b");
      if (at != std::string::npos && !conns.empty()) {
        conns.back().push_back(PythonBytes(absl::string_view(line).substr(at + 4)));
      }
    }
    for (const auto& sent : conns) {
      if (sent.empty() || sent[0].empty() || sent[0][0] != '\002') continue;
      ++connections;
      SCOPED_TRACE(entry.path().filename().string());
      ReceiveJobParser parser;
      Summary summary;
      std::vector<ReceiveEvent> events;
      std::string first_rest = sent[0].substr(sent[0].find('\n') + 1);
      std::vector<std::string> chunks = {first_rest};
      chunks.insert(chunks.end(), sent.begin() + 1, sent.end());
      for (const auto& chunk : chunks) {
        for (const char& c : chunk) {
          // Data events point into the bytes fed: taken in before the next.
          ASSERT_THAT(parser.Feed(absl::string_view(&c, 1), &events), IsOk());
          summary.Add(events);
          events.clear();
        }
        if (parser.awaiting_empty_file_decision()) parser.ResolveEmptyFile(&events);
        summary.Add(events);
        events.clear();
      }
      ASSERT_THAT(parser.Finish(&events), IsOk());
      summary.Add(events);
      EXPECT_GE(summary.starts.size(), 2u);
      EXPECT_EQ(summary.files.size(), summary.starts.size());
    }
  }
  EXPECT_GE(connections, 10);
}

}  // namespace
}  // namespace spoolgate::lpd
