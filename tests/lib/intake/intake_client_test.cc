#include "lib/intake/intake_client.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace spoolgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::spoolgate::testing::IsOk;
using ::spoolgate::testing::StatusIs;

constexpr uint64_t kJobId = 42;

// A spooler's Intake that records what it was sent. It refuses the header
// with `refusal` when that is set, and otherwise answers it at once or
// (`answer_at_commit`) only after it has read the commit.
class FakeIntake final : public v1::Intake::Service {
 public:
  grpc::Status refusal = grpc::Status::OK;
  bool answer_at_commit = false;

  grpc::Status Submit(grpc::ServerContext*,
                      grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream) override {
    v1::SubmitRequest request;
    if (!stream->Read(&request)) return grpc::Status(grpc::StatusCode::CANCELLED, "no header");
    Record(request);
    if (!refusal.ok()) return refusal;
    if (!answer_at_commit) stream->Write(Accepted());
    while (stream->Read(&request)) {
      Record(request);
      if (request.kind_case() != v1::SubmitRequest::kCommit) continue;
      if (answer_at_commit) stream->Write(Accepted());
      v1::SubmitResponse committed;
      committed.mutable_committed()->set_job_id(kJobId);
      stream->Write(committed);
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::CANCELLED, "stream ended before commit");
  }

  std::vector<v1::SubmitRequest::KindCase> kinds() {
    absl::MutexLock lock(&mu_);
    return kinds_;
  }
  uint64_t chunk_bytes() {
    absl::MutexLock lock(&mu_);
    return data_.size();
  }
  void Clear() {
    absl::MutexLock lock(&mu_);
    kinds_.clear();
    data_.clear();
  }
  std::string data() {
    absl::MutexLock lock(&mu_);
    return data_;
  }

 private:
  static v1::SubmitResponse Accepted() {
    v1::SubmitResponse response;
    response.mutable_header_accepted()->set_job_id(kJobId);
    return response;
  }
  void Record(const v1::SubmitRequest& request) {
    absl::MutexLock lock(&mu_);
    kinds_.push_back(request.kind_case());
    if (request.has_chunk()) data_ += request.chunk().data();
  }

  absl::Mutex mu_;
  std::vector<v1::SubmitRequest::KindCase> kinds_ ABSL_GUARDED_BY(mu_);
  std::string data_ ABSL_GUARDED_BY(mu_);  // every chunk's bytes, in order
};

class IntakeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&intake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static v1::JobHeader Header() {
    v1::JobHeader header;
    header.set_queue("office");
    header.set_user("ann");
    return header;
  }

  // Sends a one-document job of `bytes` bytes and commits it.
  static absl::StatusOr<v1::SubmitResponse::Committed> SendJob(IntakeJob& job, size_t bytes) {
    v1::DocumentStart start;
    start.set_name("letter.txt");
    if (auto s = job.StartDocument(start); !s.ok()) return s;
    if (auto s = job.Write(std::string(bytes, 'x')); !s.ok()) return s;
    if (auto s = job.EndDocument(); !s.ok()) return s;
    return job.Commit();
  }

  // Opens a job whose header the fake refuses with `code` and `message`.
  std::unique_ptr<IntakeJob> OpenRefused(grpc::StatusCode code, const std::string& message) {
    intake_.refusal = grpc::Status(code, message);
    auto job = IntakeJob::Open(channel_, Header(), kDeadline);
    EXPECT_THAT(job, IsOk());  // the refusal is not known yet
    return job.ok() ? *std::move(job) : nullptr;
  }

  // Bounds every test: a client that waits for an answer the fake gives
  // only later fails here instead of hanging.
  static constexpr absl::Duration kDeadline = absl::Seconds(10);

  FakeIntake intake_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(IntakeClientTest, OpenedSmallJobWaitsForNoAnswerBeforeItsCommit) {
  // The fake answers the header only after the commit: a client that waited
  // for that answer earlier would run into the deadline.
  intake_.answer_at_commit = true;
  auto job = IntakeJob::Open(channel_, Header(), kDeadline);
  ASSERT_THAT(job, IsOk());
  EXPECT_EQ((*job)->job_id(), 0u);  // not known yet
  auto committed = SendJob(**job, 5000);
  ASSERT_THAT(committed, IsOk());
  EXPECT_EQ(committed->job_id(), kJobId);
  EXPECT_EQ((*job)->job_id(), kJobId);
  EXPECT_THAT(intake_.kinds(),
              ElementsAre(v1::SubmitRequest::kHeader, v1::SubmitRequest::kDocumentStart,
                          v1::SubmitRequest::kChunk, v1::SubmitRequest::kDocumentEnd,
                          v1::SubmitRequest::kCommit));
  EXPECT_EQ(intake_.chunk_bytes(), 5000u);
}

TEST_F(IntakeClientTest, BeginReturnsOnceTheHeaderIsAccepted) {
  auto job = IntakeJob::Begin(channel_, Header(), kDeadline);
  ASSERT_THAT(job, IsOk());
  EXPECT_EQ((*job)->job_id(), kJobId);
  EXPECT_THAT(SendJob(**job, 10), IsOk());
}

TEST_F(IntakeClientTest, BeginReturnsTheRefusal) {
  intake_.refusal = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "queue 'office' is full");
  auto job = IntakeJob::Begin(channel_, Header(), kDeadline);
  EXPECT_THAT(job, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(job.status().message()), HasSubstr("is full"));
}

TEST_F(IntakeClientTest, OpenedJobRefusedAtItsHeaderFailsAtCommit) {
  auto job = OpenRefused(grpc::StatusCode::FAILED_PRECONDITION, "queue 'office' is not accepting jobs");
  ASSERT_NE(job, nullptr);
  auto committed = SendJob(*job, 3000);
  EXPECT_THAT(committed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(committed.status().message()), HasSubstr("not accepting"));
}

TEST_F(IntakeClientTest, RefusedOpenedJobStopsBeforeItsSecondBulkChunk) {
  auto job = OpenRefused(grpc::StatusCode::RESOURCE_EXHAUSTED, "spooler disk nearly full");
  ASSERT_NE(job, nullptr);
  // The refusal may show at any call after Open (gRPC sends the held header
  // when it likes), but at the latest before a second bulk chunk: the
  // first 1 MiB goes out unanswered, the second waits for the answer.
  v1::DocumentStart start;
  absl::Status status = job->StartDocument(start);
  const std::string mib(1 << 20, 'x');
  int written = 0;
  while (status.ok() && written < 8) {
    status = job->Write(mib);
    ++written;
  }
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_LE(written, 2);
}

TEST_F(IntakeClientTest, BulkJobIsSentWhole) {
  auto job = IntakeJob::Open(channel_, Header(), kDeadline);
  ASSERT_THAT(job, IsOk());
  auto committed = SendJob(**job, (3 << 20) + 123);
  ASSERT_THAT(committed, IsOk());
  EXPECT_EQ((*job)->job_id(), kJobId);
  EXPECT_EQ(intake_.chunk_bytes(), (3u << 20) + 123);
}

// Bytes that differ from one position to the next, so that a chunk sent
// twice, lost or out of order shows.
std::string Pattern(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131 + i / 4099) & 0xff);
  return data;
}

TEST_F(IntakeClientTest, BytesWrittenInUnevenPiecesArriveInOrder) {
  // Pieces that cross the small first buffer and whole chunks.
  const std::string data = Pattern((5 << 20) + 777);
  auto job = IntakeJob::Open(channel_, Header(), kDeadline);
  ASSERT_THAT(job, IsOk());
  ASSERT_THAT((*job)->StartDocument(v1::DocumentStart()), IsOk());
  size_t sizes[] = {1, 1000, 70000, 1 << 20, 3, 200000};
  size_t at = 0;
  for (int i = 0; at < data.size(); ++i) {
    size_t n = std::min(sizes[i % 6], data.size() - at);
    ASSERT_THAT((*job)->Write(absl::string_view(data).substr(at, n)), IsOk());
    at += n;
  }
  ASSERT_THAT((*job)->EndDocument(), IsOk());
  ASSERT_THAT((*job)->Commit(), IsOk());
  EXPECT_TRUE(intake_.data() == data) << "received " << intake_.data().size() << " bytes";
}

TEST_F(IntakeClientTest, BytesFilledInPlaceArriveInOrder) {
  // As a gateway reads its socket: into Room(), as much as one read gives.
  for (size_t size : {size_t{0}, size_t{1}, size_t{65536}, size_t{65537}, (size_t{3} << 20) + 5}) {
    SCOPED_TRACE(size);
    const std::string data = Pattern(size);
    auto job = IntakeJob::Open(channel_, Header(), kDeadline);
    ASSERT_THAT(job, IsOk());
    ASSERT_THAT((*job)->StartDocument(v1::DocumentStart()), IsOk());
    size_t at = 0;
    for (int i = 0; at < data.size(); ++i) {
      absl::Span<char> room = (*job)->Room();
      ASSERT_FALSE(room.empty());
      size_t n = std::min({room.size(), data.size() - at, size_t{100000} + 4093 * i});
      std::memcpy(room.data(), data.data() + at, n);
      ASSERT_THAT((*job)->Filled(n), IsOk());
      at += n;
    }
    ASSERT_THAT((*job)->EndDocument(), IsOk());
    ASSERT_THAT((*job)->Commit(), IsOk());
    EXPECT_TRUE(intake_.data() == data) << "received " << intake_.data().size() << " bytes";
    intake_.Clear();
  }
}

}  // namespace
}  // namespace spoolgate
