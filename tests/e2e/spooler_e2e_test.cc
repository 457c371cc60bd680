// The real spooler and spoolctl binaries: print, read back through the
// Dispatch API as an agent does, bad input, health, metrics, SIGTERM.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "lib/base/sha256.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "spoolgate/v1/intake.grpc.pb.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_agent.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::BinaryPath;
using ::spoolgate::testing::RunCommand;
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::TempDir;
using ::spoolgate::testing::TestAgent;

// Writes `size` pseudo-random bytes to `path` in 1 MiB pieces; returns the sha256.
std::string WriteTestFile(const std::string& path, uint64_t size) {
  std::ofstream out(path, std::ios::binary);
  Sha256 sha;
  std::string block(1 << 20, '\0');
  uint64_t x = 88172645463325252ull ^ size;
  for (uint64_t done = 0; done < size;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(block.size(), size - done));
    for (size_t i = 0; i < n; i += 8) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      std::memcpy(&block[i], &x, std::min<size_t>(8, n - i));
    }
    out.write(block.data(), static_cast<std::streamsize>(n));
    sha.Update(absl::string_view(block.data(), n));
    done += n;
  }
  return sha.HexDigest();
}

class SpoolerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spooler_ = std::make_unique<SpoolerProcess>(dir_.Sub("data"), dir_.Sub("spooler.log"),
                                                std::vector<std::string>{"--queues=office,lab", "--retry_backoff_seconds=1"});
    ASSERT_TRUE(spooler_->Start()) << testing::ReadFile(dir_.Sub("spooler.log"));
    channel_ = grpc::CreateChannel(spooler_->address(), grpc::InsecureChannelCredentials());
    admin_ = v1::Admin::NewStub(channel_);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << testing::ReadFile(dir_.Sub("spooler.log"));
  }

  testing::CommandResult Spoolctl(std::vector<std::string> args) {
    args.insert(args.begin(), {BinaryPath("tools/spoolctl/spoolctl"),
                               "--spooler=" + spooler_->address()});
    return RunCommand(args, absl::Minutes(3));
  }

  // Prints `path` with the real spoolctl; returns the job id (0 on failure).
  uint64_t PrintFile(const std::string& path) {
    auto result = Spoolctl({"print", path, "--queue=office"});
    EXPECT_EQ(result.exit_code, 0) << result.out;
    uint64_t id = 0;
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(result.out), &id)) << result.out;
    return id;
  }

  // Opens a Submit stream, sends `requests`, half-closes; returns the final status.
  grpc::Status SubmitRaw(const std::vector<v1::SubmitRequest>& requests) {
    auto stub = v1::Intake::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto stream = stub->Submit(&context);
    for (const auto& r : requests) {
      if (!stream->Write(r)) break;
    }
    stream->WritesDone();
    v1::SubmitResponse response;
    while (stream->Read(&response)) {
    }
    return stream->Finish();
  }

  int JobCount() {
    grpc::ClientContext context;
    v1::ListJobsRequest request;
    request.set_include_finished(true);
    v1::ListJobsResponse response;
    EXPECT_TRUE(admin_->ListJobs(&context, request, &response).ok());
    return response.jobs_size();
  }

  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

TEST_F(SpoolerE2eTest, PrintedBytesReachTheAgentIdentical) {
  const std::vector<uint64_t> sizes = {0, 1024, 200ull << 20};
  std::vector<std::pair<uint64_t, std::string>> jobs;  // id, sha256
  for (uint64_t size : sizes) {
    std::string path = dir_.Sub("file" + std::to_string(size));
    std::string sha = WriteTestFile(path, size);
    uint64_t id = PrintFile(path);
    ASSERT_NE(id, 0u);
    jobs.emplace_back(id, sha);
  }
  TestAgent agent(spooler_->address(), "e2e-agent", "office");
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto assignment = agent.NextAssignment(absl::Seconds(30));
    ASSERT_TRUE(assignment.has_value()) << "job " << i << " never assigned";
    EXPECT_EQ(assignment->job().id(), jobs[i].first);  // FIFO at equal priority
    auto doc = agent.ReadDocument(jobs[i].first, 0);
    ASSERT_TRUE(doc.ok()) << doc.status();
    EXPECT_EQ(doc->size, sizes[i]);
    EXPECT_EQ(doc->sha256, jobs[i].second) << "size " << sizes[i];
    EXPECT_EQ(assignment->job().documents(0).checksum(), doc->checksum);
    ASSERT_TRUE(agent.Complete(jobs[i].first, doc->size));
  }
  // The last completion is applied asynchronously; poll briefly.
  for (int i = 0; i < 100; ++i) {
    auto result = Spoolctl({"jobs", "--all", "--json"});
    if (result.out.find("JOB_STATE_PRINTING") == std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  auto list = Spoolctl({"jobs", "--all"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_THAT(list.out, ::testing::HasSubstr("completed"));
  EXPECT_THAT(list.out, ::testing::Not(::testing::HasSubstr("pending")));
}

TEST_F(SpoolerE2eTest, ReadDocumentResumesFromAnOffset) {
  std::string path = dir_.Sub("resume");
  WriteTestFile(path, 3 << 20);
  uint64_t id = PrintFile(path);
  TestAgent agent(spooler_->address(), "resumer", "office");
  ASSERT_TRUE(agent.NextAssignment(absl::Seconds(30)).has_value());
  std::string content = testing::ReadFile(path);
  auto tail = agent.ReadDocument(id, 0, 1234567);
  ASSERT_TRUE(tail.ok()) << tail.status();
  EXPECT_EQ(tail->size, content.size() - 1234567);
  EXPECT_EQ(tail->sha256, Sha256::Of(absl::string_view(content).substr(1234567)));
}

TEST_F(SpoolerE2eTest, LostAgentsJobIsPrintedByTheNextOne) {
  std::string path = dir_.Sub("again");
  std::string sha = WriteTestFile(path, 100000);
  uint64_t id = PrintFile(path);
  {
    TestAgent first(spooler_->address(), "first", "office");
    auto a = first.NextAssignment(absl::Seconds(30));
    ASSERT_TRUE(a.has_value());
    first.Disconnect();
  }
  // The retry waits out the 1 s backoff set for this fixture.
  TestAgent second(spooler_->address(), "second", "office");
  auto b = second.NextAssignment(absl::Seconds(30));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->job().id(), id);
  EXPECT_EQ(b->job().attempts(), 2u);
  auto doc = second.ReadDocument(id, 0);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->sha256, sha);
}

TEST_F(SpoolerE2eTest, BadInputGetsAClearStatusAndLeavesNothing) {
  v1::SubmitRequest header;
  header.mutable_header()->set_queue("office");
  header.mutable_header()->set_user("mallory");
  v1::SubmitRequest start;
  start.mutable_document_start()->set_name("x");
  v1::SubmitRequest chunk;
  chunk.mutable_chunk()->set_data("some bytes");
  v1::SubmitRequest end;
  end.mutable_document_end();

  v1::SubmitRequest unknown = header;
  unknown.mutable_header()->set_queue("nope");
  EXPECT_EQ(SubmitRaw({unknown}).error_code(), grpc::StatusCode::NOT_FOUND);

  EXPECT_EQ(SubmitRaw({chunk}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // data first

  // A stream that ends without commit.
  EXPECT_NE(SubmitRaw({header, start, chunk, end}).error_code(), grpc::StatusCode::OK);

  v1::SubmitRequest absurd;
  absurd.mutable_chunk()->set_data(std::string(2 << 20, 'x'));
  EXPECT_EQ(SubmitRaw({header, start, absurd}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  {
    grpc::ClientContext context;
    v1::UpdateQueueRequest limit;
    limit.set_name("lab");
    limit.set_max_job_bytes(1000);
    v1::Queue queue;
    ASSERT_TRUE(admin_->UpdateQueue(&context, limit, &queue).ok());
  }
  v1::SubmitRequest lab = header;
  lab.mutable_header()->set_queue("lab");
  v1::SubmitRequest big;
  big.mutable_chunk()->set_data(std::string(1001, 'x'));
  EXPECT_EQ(SubmitRaw({lab, start, big}).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  {
    grpc::ClientContext context;
    v1::UpdateQueueRequest reject;
    reject.set_name("lab");
    reject.set_accepting(false);
    v1::Queue queue;
    ASSERT_TRUE(admin_->UpdateQueue(&context, reject, &queue).ok());
  }
  EXPECT_EQ(SubmitRaw({lab}).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  EXPECT_EQ(JobCount(), 0);
  // ... and the spooler still serves.
  std::string path = dir_.Sub("ok");
  WriteTestFile(path, 10);
  EXPECT_NE(PrintFile(path), 0u);
  EXPECT_EQ(JobCount(), 1);
}

TEST_F(SpoolerE2eTest, SpoolctlTablesJsonAndExitCodes) {
  std::string path = dir_.Sub("report.txt");
  WriteTestFile(path, 2048);
  uint64_t id = PrintFile(path);
  auto jobs = Spoolctl({"jobs"});
  EXPECT_EQ(jobs.exit_code, 0);
  EXPECT_THAT(jobs.out, ::testing::StartsWith("ID  QUEUE   STATE    PRI"));
  EXPECT_THAT(jobs.out, ::testing::HasSubstr("report.txt"));
  EXPECT_THAT(jobs.out, ::testing::HasSubstr("2.0 KiB"));
  auto json = Spoolctl({"jobs", "--json"});
  EXPECT_THAT(json.out, ::testing::HasSubstr(absl::StrCat("\"id\":\"", id, "\"")));
  EXPECT_THAT(json.out, ::testing::HasSubstr("\"state\":\"JOB_STATE_PENDING\""));
  auto queues = Spoolctl({"queues"});
  EXPECT_THAT(queues.out, ::testing::HasSubstr("office"));
  EXPECT_THAT(queues.out, ::testing::HasSubstr("lab"));
  EXPECT_THAT(Spoolctl({"queues", "--json"}).out, ::testing::HasSubstr("\"name\":\"office\""));
  EXPECT_EQ(Spoolctl({"cancel", std::to_string(id)}).exit_code, 0);
  EXPECT_EQ(Spoolctl({"cancel", std::to_string(id)}).exit_code, 1);  // already cancelled
  EXPECT_EQ(Spoolctl({"cancel", "999999"}).exit_code, 1);
  EXPECT_EQ(Spoolctl({"cancel", "x"}).exit_code, 2);
  EXPECT_EQ(Spoolctl({"print", path}).exit_code, 2);  // no --queue
  EXPECT_EQ(Spoolctl({"print", path, "--queue=nope"}).exit_code, 1);
  EXPECT_EQ(RunCommand({BinaryPath("tools/spoolctl/spoolctl"), "--spooler=127.0.0.1:1", "queues"},
                       absl::Minutes(1)).exit_code, 3);
}

TEST_F(SpoolerE2eTest, ServesHealthAndMetrics) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const char* service : {"", "spoolgate.v1.Intake", "spoolgate.v1.Admin"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(health->Check(&context, request, &response).ok()) << service;
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  std::string path = dir_.Sub("m");
  WriteTestFile(path, 4096);
  PrintFile(path);
  auto metrics = RunCommand({"curl", "-sf", absl::StrCat("http://127.0.0.1:",
                                                          spooler_->metrics_port(), "/metrics")},
                            absl::Seconds(30));
  ASSERT_EQ(metrics.exit_code, 0);
  EXPECT_THAT(metrics.out, ::testing::HasSubstr(
                               "spoolgate_spooler_jobs_received_total{queue=\"office\"} 1"));
  EXPECT_THAT(metrics.out, ::testing::HasSubstr(
                               "spoolgate_spooler_bytes_received_total{queue=\"office\"} 4096"));
  EXPECT_THAT(metrics.out, ::testing::HasSubstr("spoolgate_spooler_commit_latency_seconds_count"));
}

TEST_F(SpoolerE2eTest, StopsCleanlyOnSigterm) {
  int status = spooler_->Terminate(absl::Seconds(20));
  ASSERT_NE(status, -1) << "did not stop within 20 s";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace spoolgate
