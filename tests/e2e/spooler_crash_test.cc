// Promise 1 under fire: 8 concurrent submitters stream jobs while the
// spooler is killed with SIGKILL. After a restart on the same data dir,
// every job whose commit was acknowledged is there and byte-identical, no
// half-received job is visible, no spool file is left that no job names,
// and the spooler serves again. Jobs are small (stored with their commit)
// and large (spool files, two submitters stream 8-24 MiB ones, so the kill
// lands in the middle of large writes too). Five rounds.
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "lib/base/checksum.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "spoolgate/v1/intake.grpc.pb.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_agent.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::TempDir;
using ::spoolgate::testing::TestAgent;

constexpr int kSubmitters = 8;
constexpr int kRounds = 5;

struct Ledger {
  absl::Mutex mu;
  std::map<uint64_t, std::string> acked ABSL_GUARDED_BY(mu);     // id -> checksum
  std::map<uint64_t, std::string> committing ABSL_GUARDED_BY(mu);// commit sent, no answer
};

// Submits jobs in 64 KiB chunks until the spooler dies or `stop` is set:
// 0..8 KiB, 0..3 MiB, or (submitters 0 and 1) 8..24 MiB. Records what was
// acknowledged.
void Submitter(const std::string& address, int seed, std::atomic<bool>& stop, Ledger& ledger) {
  auto stub = v1::Intake::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  std::mt19937_64 rng(seed);
  while (!stop.load()) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    auto stream = stub->Submit(&context);
    v1::SubmitRequest request;
    request.mutable_header()->set_queue("office");
    request.mutable_header()->set_user("crash" + std::to_string(seed));
    if (!stream->Write(request)) break;
    v1::SubmitResponse response;
    if (!stream->Read(&response) || !response.has_header_accepted()) break;
    uint64_t id = response.header_accepted().job_id();
    request.mutable_document_start()->set_name("doc");
    stream->Write(request);
    uint64_t size = seed % 100 < 2 ? (8 << 20) + rng() % (16 << 20)
                    : rng() % 2 == 0 ? rng() % (8 << 10)
                                     : rng() % (3 << 20);
    Checksum sha(ChecksumAlgorithm::kXxh3_128);
    std::string chunk(64 << 10, '\0');
    bool ok = true;
    for (uint64_t sent = 0; sent < size && ok;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), size - sent));
      for (size_t i = 0; i < n; ++i) chunk[i] = static_cast<char>(rng());
      request.mutable_chunk()->set_data(chunk.data(), n);
      sha.Update(absl::string_view(chunk.data(), n));
      ok = stream->Write(request);
      sent += n;
    }
    std::string digest = sha.Finish();
    request.mutable_document_end();
    ok = ok && stream->Write(request) && stream->Read(&response) && response.has_document_stored();
    if (ok) {
      {
        absl::MutexLock lock(&ledger.mu);
        ledger.committing[id] = digest;
      }
      request.mutable_commit();
      ok = stream->Write(request) && stream->Read(&response) && response.has_committed();
    }
    stream->WritesDone();
    auto status = stream->Finish();
    if (ok && status.ok()) {
      absl::MutexLock lock(&ledger.mu);
      ledger.acked[id] = digest;
      ledger.committing.erase(id);
    } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      break;  // spooler gone
    }
  }
}

TEST(SpoolerCrashTest, AcknowledgedJobsSurviveKill9) {
  TempDir dir;
  SpoolerProcess spooler(dir.Sub("data"), dir.Sub("spooler.log"), {"--queues=office"});
  std::map<uint64_t, std::string> survivors_so_far;  // printed in earlier rounds
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_TRUE(spooler.Start()) << testing::ReadFile(dir.Sub("spooler.log"));
    Ledger ledger;
    std::atomic<bool> stop{false};
    std::vector<std::thread> submitters;
    for (int i = 0; i < kSubmitters; ++i) {
      submitters.emplace_back(Submitter, spooler.address(), round * 100 + i, std::ref(stop),
                              std::ref(ledger));
    }
    absl::SleepFor(absl::Milliseconds(1500 + 300 * round));
    spooler.Kill9();  // mid-stream: submitters are always streaming
    stop = true;
    for (auto& t : submitters) t.join();

    ASSERT_TRUE(spooler.Start()) << testing::ReadFile(dir.Sub("spooler.log"));
    std::map<uint64_t, std::string> acked, committing;
    {
      absl::MutexLock lock(&ledger.mu);
      acked = ledger.acked;
      committing = ledger.committing;
    }
    ASSERT_FALSE(acked.empty()) << "no job was acknowledged before the kill";
    auto channel = grpc::CreateChannel(spooler.address(), grpc::InsecureChannelCredentials());
    auto admin = v1::Admin::NewStub(channel);
    v1::ListJobsRequest request;
    request.set_include_finished(true);
    std::map<uint64_t, v1::Job> visible;
    for (int page = 0; page < 1000; ++page) {  // every page of the listing
      grpc::ClientContext context;
      v1::ListJobsResponse listed;
      ASSERT_TRUE(admin->ListJobs(&context, request, &listed).ok());
      for (const auto& job : listed.jobs()) {
        if (job.state() == v1::JOB_STATE_COMPLETED) continue;  // earlier rounds
        visible[job.id()] = job;
      }
      if (listed.next_page_token().empty()) break;
      request.set_page_token(listed.next_page_token());
    }
    for (const auto& [id, sha] : acked) {
      ASSERT_TRUE(visible.count(id)) << "acknowledged job " << id << " lost";
      EXPECT_EQ(visible[id].state(), v1::JOB_STATE_PENDING);
      EXPECT_EQ(visible[id].documents(0).checksum(), sha);
    }
    // Anything else visible must be a job whose commit was sent (its ack
    // was lost with the process), never a half-received one.
    for (const auto& [id, job] : visible) {
      EXPECT_TRUE(acked.count(id) || committing.count(id)) << "half-received job " << id << " visible";
    }
    // The spool directory holds exactly the files the visible jobs name.
    std::set<std::string> named, on_disk;
    int large = 0;
    for (const auto& [id, job] : visible) {
      for (const auto& doc : job.documents()) {
        if (doc.storage() == v1::DOCUMENT_STORAGE_SPOOL_FILE) named.insert(doc.spool_file());
      }
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir.Sub("data") + "/spool")) {
      on_disk.insert(entry.path().filename().string());
    }
    EXPECT_EQ(on_disk, named) << "orphaned or missing spool files";
    large = static_cast<int>(named.size());
    // Print them all through an agent: the bytes must match.
    TestAgent agent(spooler.address(), "crash-agent", "office", 4);
    for (size_t n = 0; n < visible.size(); ++n) {
      auto assignment = agent.NextAssignment(absl::Seconds(30));
      ASSERT_TRUE(assignment.has_value()) << n << " of " << visible.size();
      uint64_t id = assignment->job().id();
      auto doc = agent.ReadDocument(id, 0);
      ASSERT_TRUE(doc.ok()) << doc.status();
      std::string want = acked.count(id) ? acked[id] : committing[id];
      EXPECT_EQ(doc->checksum, want) << "job " << id;
      ASSERT_TRUE(agent.Complete(id, doc->size));
    }
    agent.Disconnect();
    EXPECT_EQ(spooler.Terminate(absl::Seconds(20)), 0);
    EXPECT_TRUE(std::filesystem::is_empty(dir.Sub("data") + "/spool"))
        << "a printed job's spool file was left";
    std::string log = testing::ReadFile(dir.Sub("spooler.log"));
    size_t cleanup = log.rfind("spool file(s) that no job names");
    std::cerr << "round " << round << ": " << acked.size() << " acknowledged, "
              << visible.size() << " visible after restart, " << large
              << " of them in spool files; last start: "
              << (cleanup == std::string::npos ? "no orphan"
                                               : log.substr(log.rfind('\n', cleanup) + 1,
                                                            cleanup - log.rfind('\n', cleanup) + 30))
              << "\n";
  }
}

}  // namespace
}  // namespace spoolgate
