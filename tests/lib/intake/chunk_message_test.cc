#include "lib/intake/chunk_message.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/support/slice.h>

#include "gtest/gtest.h"
#include "spoolgate/v1/intake.pb.h"

namespace spoolgate {
namespace {

std::string Pattern(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return data;
}

std::string Flatten(const grpc::ByteBuffer& message) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(message.Dump(&slices).ok());
  std::string flat;
  for (const auto& slice : slices) flat.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return flat;
}

TEST(ChunkMessageTest, ReadsAsTheSubmitRequestProtobufWouldWrite) {
  // Around every length where a varint gains a byte, inside and outside.
  for (size_t size : {size_t{1}, size_t{125}, size_t{126}, size_t{127}, size_t{128}, size_t{16380},
                      size_t{16381}, size_t{16384}, size_t{65536}, size_t{1} << 20}) {
    SCOPED_TRACE(size);
    const std::string data = Pattern(size);
    v1::SubmitRequest expected;
    expected.mutable_chunk()->set_data(data);

    auto buffer = std::unique_ptr<char[]>(new char[size]);
    std::memcpy(buffer.get(), data.data(), size);
    grpc::ByteBuffer message = ChunkMessage(std::move(buffer), size);
    const std::string wire = Flatten(message);
    EXPECT_EQ(wire, expected.SerializeAsString());
    EXPECT_EQ(message.Length(), wire.size());

    v1::SubmitRequest parsed;
    ASSERT_TRUE(parsed.ParseFromString(wire));
    ASSERT_TRUE(parsed.has_chunk());
    EXPECT_EQ(parsed.chunk().data(), data);
  }
}

TEST(ChunkMessageTest, PrefixIsTheFramingAlone) {
  v1::SubmitRequest request;
  request.mutable_chunk()->set_data(std::string(300, 'x'));
  std::string wire = request.SerializeAsString();
  EXPECT_EQ(ChunkPrefix(300), wire.substr(0, wire.size() - 300));
}

TEST(ChunkMessageTest, CopiesOfTheMessageShareTheBufferUntilTheLastGoes) {
  // gRPC keeps references to the slices while it sends; the buffer is
  // freed once (AddressSanitizer reports a double free or a leak).
  auto buffer = std::unique_ptr<char[]>(new char[4096]);
  std::memset(buffer.get(), 'y', 4096);
  grpc::ByteBuffer copy;
  {
    grpc::ByteBuffer message = ChunkMessage(std::move(buffer), 4096);
    copy = message;
  }
  std::string wire = Flatten(copy);
  EXPECT_EQ(wire.substr(wire.size() - 4096), std::string(4096, 'y'));
}

}  // namespace
}  // namespace spoolgate
