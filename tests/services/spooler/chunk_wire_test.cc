// ChunkDataOf against protobuf's own encoding, cut into pieces the way
// gRPC's slices may cut it.
#include "services/spooler/chunk_wire.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "spoolgate/v1/intake.pb.h"

namespace spoolgate::spooler {
namespace {

std::string Serialized(const v1::SubmitRequest& request) {
  std::string wire;
  request.SerializeToString(&wire);
  return wire;
}

std::string ChunkMessage(const std::string& data) {
  v1::SubmitRequest request;
  request.mutable_chunk()->set_data(data);
  return Serialized(request);
}

// `wire` cut every `step` bytes.
std::vector<absl::string_view> Pieces(absl::string_view wire, size_t step) {
  std::vector<absl::string_view> pieces;
  for (size_t at = 0; at < wire.size(); at += step) pieces.push_back(wire.substr(at, step));
  return pieces;
}

std::string Joined(const std::vector<absl::string_view>& pieces) { return absl::StrJoin(pieces, ""); }

TEST(ChunkWireTest, ReadsTheDataOfChunksOfEverySizeHoweverTheWireIsCut) {
  // Sizes around each varint length boundary, and a full 1 MiB chunk.
  for (size_t size : {1u, 2u, 127u, 128u, 129u, 16383u, 16384u, 16385u, 1u << 20}) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 7 + size);
    std::string wire = ChunkMessage(data);
    for (size_t step : {size_t{1}, size_t{2}, size_t{3}, size_t{4096}, wire.size()}) {
      auto pieces = Pieces(wire, step);
      auto read = ChunkDataOf(pieces);
      ASSERT_TRUE(read.has_value()) << "size " << size << " step " << step;
      EXPECT_TRUE(Joined(*read) == data) << "size " << size << " step " << step;
      for (absl::string_view p : *read) {
        EXPECT_FALSE(p.empty());
        // Views into the message, not copies.
        EXPECT_GE(p.data(), wire.data());
        EXPECT_LE(p.data() + p.size(), wire.data() + wire.size());
      }
    }
  }
}

TEST(ChunkWireTest, AChunkWithoutDataAndEmptyPiecesAreFine) {
  // proto3 leaves out empty bytes: the chunk is an empty message.
  std::string wire = ChunkMessage("");
  ASSERT_EQ(wire, std::string("\x1a\x00", 2));
  auto read = ChunkDataOf({wire});
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->empty());
  // Data given explicitly as empty, and empty pieces anywhere.
  absl::string_view explicit_empty("\x1a\x02\x0a\x00", 4);
  read = ChunkDataOf({"", explicit_empty.substr(0, 2), "", explicit_empty.substr(2), ""});
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->empty());
  // 1a 05 0a 03 "abc", cut inside the data.
  std::string abc_message = ChunkMessage("abc");
  absl::string_view abc = abc_message;
  read = ChunkDataOf({"", abc.substr(0, 5), "", abc.substr(5), ""});
  ASSERT_TRUE(read.has_value());
  EXPECT_THAT(*read, ::testing::ElementsAre("a", "bc"));
}

TEST(ChunkWireTest, EveryOtherMessageIsLeftToTheFullParse) {
  v1::SubmitRequest header;
  header.mutable_header()->set_queue("office");
  v1::SubmitRequest end;
  end.mutable_document_end()->set_no_reply(true);
  v1::SubmitRequest commit;
  commit.mutable_commit();
  for (const auto* request : {&header, &end, &commit}) {
    std::string wire = Serialized(*request);
    EXPECT_FALSE(ChunkDataOf({wire}).has_value()) << request->ShortDebugString();
  }
  EXPECT_FALSE(ChunkDataOf({}).has_value());
  EXPECT_FALSE(ChunkDataOf({"", ""}).has_value());
}

TEST(ChunkWireTest, ChunksThatAreNotExactlyOneDataFieldAreLeftToTheFullParse) {
  std::string wire = ChunkMessage("hello");  // 1a 07 0a 05 "hello"
  // Cut short anywhere.
  for (size_t n = 1; n < wire.size(); ++n) {
    EXPECT_FALSE(ChunkDataOf({wire.substr(0, n)}).has_value()) << n;
  }
  // A field after the chunk (another oneof member, or a second chunk).
  EXPECT_FALSE(ChunkDataOf({wire + ChunkMessage("again")}).has_value());
  EXPECT_FALSE(ChunkDataOf({wire, std::string("\x2a\x00", 2)}).has_value());
  // A second field inside the chunk, or another field instead of data.
  EXPECT_FALSE(ChunkDataOf({std::string("\x1a\x05\x0a\x01x\x10\x01", 7)}).has_value());
  EXPECT_FALSE(ChunkDataOf({std::string("\x1a\x02\x10\x01", 4)}).has_value());
  // Lengths that disagree with what follows.
  EXPECT_FALSE(ChunkDataOf({std::string("\x1a\x08\x0a\x05hello", 9)}).has_value());
  EXPECT_FALSE(ChunkDataOf({std::string("\x1a\x07\x0a\x06hello", 9)}).has_value());
  // A length that never ends, or overflows 32 bits.
  EXPECT_FALSE(ChunkDataOf({std::string("\x1a\xff\xff\xff\xff\xff\xff", 7)}).has_value());
  EXPECT_FALSE(ChunkDataOf({std::string("\x1a\x80\x80\x80\x80\x10", 6)}).has_value());
  // A non-minimal length is protobuf's business, not ours.
  std::string padded("\x1a\x87\x00\x0a\x05hello", 10);
  v1::SubmitRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(padded));
  auto read = ChunkDataOf({padded});
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(Joined(*read), parsed.chunk().data());
}

}  // namespace
}  // namespace spoolgate::spooler
