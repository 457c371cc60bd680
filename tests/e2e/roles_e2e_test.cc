// The real spooler with --tokens_file: every role tries every RPC, calls
// outside its role are refused with PERMISSION_DENIED (and logged by the
// credential's name, never the token), calls without a known credential with
// UNAUTHENTICATED, and an agent reads only documents leased to its own
// printers.
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "lib/base/sha256.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "spoolgate/v1/dispatch.grpc.pb.h"
#include "spoolgate/v1/intake.grpc.pb.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_agent.h"

namespace spoolgate {
namespace {
using ::spoolgate::testing::SpoolerProcess;
using ::spoolgate::testing::TempDir;
using ::spoolgate::testing::TestAgent;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIntakeToken[] = "intake-secret-7f3a";
constexpr char kAgentAToken[] = "agent-a-secret-91c2";
constexpr char kAgentBToken[] = "agent-b-secret-5d08";
constexpr char kAdminToken[] = "admin-secret-e611";

// One call of an RPC with a harmless request; returns its status.
using Call = std::function<grpc::Status(grpc::ClientContext*)>;

class RolesE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream tokens(dir_.Sub("tokens"));
    tokens << "# role name credential\n"
           << "intake lpd-gw sha256:" << Sha256::Of(kIntakeToken) << "\n"
           << "agent room-a " << Sha256::Of(kAgentAToken) << "\n"
           << "agent room-b sha256:" << Sha256::Of(kAgentBToken) << "\n"
           << "admin alice sha256:" << Sha256::Of(kAdminToken) << "  # the operator\n";
    tokens.close();
    spooler_ = std::make_unique<SpoolerProcess>(
        dir_.Sub("data"), dir_.Sub("spooler.log"),
        std::vector<std::string>{"--queues=office,lab", "--tokens_file=" + dir_.Sub("tokens")});
    ASSERT_TRUE(spooler_->Start()) << testing::ReadFile(dir_.Sub("spooler.log"));
    channel_ = grpc::CreateChannel(spooler_->address(), grpc::InsecureChannelCredentials());
    admin_ = v1::Admin::NewStub(channel_);
    intake_ = v1::Intake::NewStub(channel_);
    dispatch_ = v1::Dispatch::NewStub(channel_);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << testing::ReadFile(dir_.Sub("spooler.log"));
  }

  static void WithToken(grpc::ClientContext* context, const std::string& token) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  }

  // Submits a one-document job to `queue` with `token`; its id, 0 if refused.
  uint64_t Submit(const std::string& token, const std::string& queue, const std::string& data) {
    grpc::ClientContext context;
    WithToken(&context, token);
    auto stream = intake_->Submit(&context);
    v1::SubmitRequest header, start, chunk, end, commit;
    header.mutable_header()->set_queue(queue);
    header.mutable_header()->set_user("bob");
    header.mutable_header()->set_host("ws1");
    start.mutable_document_start()->set_name("doc");
    chunk.mutable_chunk()->set_data(data);
    end.mutable_document_end()->set_no_reply(true);
    commit.mutable_commit();
    for (const auto* r : {&header, &start, &chunk, &end, &commit}) {
      if (!stream->Write(*r)) break;
    }
    stream->WritesDone();
    uint64_t id = 0;
    v1::SubmitResponse response;
    while (stream->Read(&response)) {
      if (response.has_committed()) id = response.committed().job_id();
    }
    return stream->Finish().ok() ? id : 0;
  }

  // Every RPC of the three services, by "Service.Method".
  std::map<std::string, Call> EveryRpc() {
    std::map<std::string, Call> rpcs;
    auto unary = [&](const std::string& name, auto method, auto request, auto response) {
      rpcs[name] = [this, method, request, response](grpc::ClientContext* c) mutable {
        return ((*admin_).*method)(c, request, &response);
      };
    };
    unary("Admin.ListQueues", &v1::Admin::Stub::ListQueues, v1::ListQueuesRequest(),
          v1::ListQueuesResponse());
    v1::CreateQueueRequest create;
    create.mutable_queue()->set_name("made-by-test");
    unary("Admin.CreateQueue", &v1::Admin::Stub::CreateQueue, create, v1::Queue());
    v1::DeleteQueueRequest del;
    del.set_name("no-such-queue");
    unary("Admin.DeleteQueue", &v1::Admin::Stub::DeleteQueue, del, v1::DeleteQueueResponse());
    v1::UpdateQueueRequest update;
    update.set_name("no-such-queue");
    unary("Admin.UpdateQueue", &v1::Admin::Stub::UpdateQueue, update, v1::Queue());
    unary("Admin.ListJobs", &v1::Admin::Stub::ListJobs, v1::ListJobsRequest(),
          v1::ListJobsResponse());
    v1::GetJobRequest get;
    get.set_id(999999);
    unary("Admin.GetJob", &v1::Admin::Stub::GetJob, get, v1::Job());
    v1::JobIdRequest job;
    job.set_id(999999);
    unary("Admin.CancelJob", &v1::Admin::Stub::CancelJob, job, v1::Job());
    unary("Admin.HoldJob", &v1::Admin::Stub::HoldJob, job, v1::Job());
    unary("Admin.ReleaseJob", &v1::Admin::Stub::ReleaseJob, job, v1::Job());
    v1::MoveJobRequest move;
    move.set_id(999999);
    move.set_queue("lab");
    unary("Admin.MoveJob", &v1::Admin::Stub::MoveJob, move, v1::Job());
    v1::SetJobPriorityRequest priority;
    priority.set_id(999999);
    unary("Admin.SetJobPriority", &v1::Admin::Stub::SetJobPriority, priority, v1::Job());
    v1::RemoveJobsRequest remove;
    remove.set_queue("office");
    remove.set_requester_user("bob");
    remove.set_requester_host("ws1");
    remove.add_job_ids(999999);
    unary("Admin.RemoveJobs", &v1::Admin::Stub::RemoveJobs, remove, v1::RemoveJobsResponse());
    unary("Admin.ListPrinters", &v1::Admin::Stub::ListPrinters, v1::ListPrintersRequest(),
          v1::ListPrintersResponse());
    v1::PrinterRequest printer;
    printer.set_name("no-such-printer");
    unary("Admin.StopPrinter", &v1::Admin::Stub::StopPrinter, printer, v1::PrinterResponse());
    unary("Admin.StartPrinter", &v1::Admin::Stub::StartPrinter, printer, v1::PrinterResponse());
    unary("Admin.ListAccounting", &v1::Admin::Stub::ListAccounting, v1::ListAccountingRequest(),
          v1::ListAccountingResponse());
    v1::GetQuotaRequest quota;
    quota.set_user("bob");
    unary("Admin.GetQuota", &v1::Admin::Stub::GetQuota, quota, v1::GetQuotaResponse());
    rpcs["Intake.Submit"] = [this](grpc::ClientContext* c) {
      auto stream = intake_->Submit(c);
      v1::SubmitRequest header;
      header.mutable_header()->set_queue("no-such-queue");
      stream->Write(header);
      stream->WritesDone();
      v1::SubmitResponse response;
      while (stream->Read(&response)) {
      }
      return stream->Finish();
    };
    rpcs["Dispatch.Attach"] = [this](grpc::ClientContext* c) {
      auto stream = dispatch_->Attach(c);
      v1::AgentMessage hello;
      hello.mutable_hello()->set_agent_id("role-test");
      stream->Write(hello);
      stream->WritesDone();
      v1::SpoolerMessage message;
      while (stream->Read(&message)) {
      }
      return stream->Finish();
    };
    rpcs["Dispatch.ReadDocument"] = [this](grpc::ClientContext* c) {
      v1::ReadDocumentRequest request;
      request.set_job_id(999999);
      auto reader = dispatch_->ReadDocument(c, request);
      v1::DocumentData data;
      while (reader->Read(&data)) {
      }
      return reader->Finish();
    };
    return rpcs;
  }

  // Calls every RPC with `token`: those in `allowed` must get past
  // authorization, all others must be refused with PERMISSION_DENIED.
  void ExpectRole(const std::string& token, const std::set<std::string>& allowed) {
    for (auto& [name, call] : EveryRpc()) {
      grpc::ClientContext context;
      WithToken(&context, token);
      grpc::Status status = call(&context);
      if (allowed.count(name)) {
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << name << ": " << status.error_message();
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name;
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << name << " was not refused: " << status.error_message();
      }
    }
  }

  TempDir dir_;
  std::unique_ptr<SpoolerProcess> spooler_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  std::unique_ptr<v1::Intake::Stub> intake_;
  std::unique_ptr<v1::Dispatch::Stub> dispatch_;
};

TEST_F(RolesE2eTest, IntakeMaySubmitListAndRemoveForARequesterOnly) {
  ExpectRole(kIntakeToken, {"Intake.Submit", "Admin.ListQueues", "Admin.ListPrinters",
                            "Admin.ListJobs", "Admin.RemoveJobs"});
  // Removing without naming the requester would skip the ownership rule.
  grpc::ClientContext context;
  WithToken(&context, kIntakeToken);
  v1::RemoveJobsRequest anonymous;
  anonymous.set_queue("office");
  anonymous.set_all(true);
  v1::RemoveJobsResponse response;
  EXPECT_EQ(admin_->RemoveJobs(&context, anonymous, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RolesE2eTest, AgentMayOnlyAttachAndRead) {
  ExpectRole(kAgentAToken, {"Dispatch.Attach", "Dispatch.ReadDocument"});
}

TEST_F(RolesE2eTest, AdminMayCallEverything) {
  std::set<std::string> all;
  for (const auto& [name, call] : EveryRpc()) all.insert(name);
  EXPECT_EQ(all.size(), 20u);
  ExpectRole(kAdminToken, all);
}

TEST_F(RolesE2eTest, NoOrUnknownTokenIsUnauthenticated) {
  for (const std::string token : {"", "not-a-listed-token"}) {
    for (auto& [name, call] : EveryRpc()) {
      grpc::ClientContext context;
      WithToken(&context, token);
      EXPECT_EQ(call(&context).error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << name << " with token '" << token << "'";
    }
  }
}

TEST_F(RolesE2eTest, RefusalsAreLoggedByNameNeverBySecret) {
  grpc::ClientContext context;
  WithToken(&context, kIntakeToken);
  v1::DeleteQueueRequest del;
  del.set_name("office");
  v1::DeleteQueueResponse response;
  EXPECT_EQ(admin_->DeleteQueue(&context, del, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext wrong;
  WithToken(&wrong, "guessed-token-123");
  EXPECT_EQ(admin_->DeleteQueue(&wrong, del, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  std::string log = testing::ReadFile(spooler_->log_path());
  EXPECT_THAT(log, HasSubstr("refused Admin.DeleteQueue"));
  EXPECT_THAT(log, HasSubstr("credential 'lpd-gw' (role intake)"));
  EXPECT_THAT(log, HasSubstr("unknown bearer token"));
  for (const char* secret : {kIntakeToken, "guessed-token-123", kAdminToken}) {
    EXPECT_THAT(log, Not(HasSubstr(secret)));
  }
}

TEST_F(RolesE2eTest, AnAgentReadsOnlyJobsLeasedToItsOwnPrinters) {
  uint64_t for_a = Submit(kIntakeToken, "office", "for room a");
  uint64_t for_b = Submit(kIntakeToken, "lab", "for room b");
  ASSERT_NE(for_a, 0u);
  ASSERT_NE(for_b, 0u);
  TestAgent a(spooler_->address(), "agent-a", "office", 1, kAgentAToken);
  TestAgent b(spooler_->address(), "agent-b", "lab", 1, kAgentBToken);
  auto assigned_a = a.NextAssignment(absl::Seconds(10));
  auto assigned_b = b.NextAssignment(absl::Seconds(10));
  ASSERT_TRUE(assigned_a && assigned_b);
  ASSERT_EQ(assigned_a->job().id(), for_a);
  ASSERT_EQ(assigned_b->job().id(), for_b);

  auto own = a.ReadDocument(for_a, 0);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->size, 10u);
  EXPECT_EQ(a.ReadDocument(for_b, 0).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(b.ReadDocument(for_a, 0).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(b.ReadDocument(for_b, 0).ok());
  // An admin may read any printing job (spoolctl, debugging).
  TestAgent admin(spooler_->address(), "admin-reader", "none", 0, kAdminToken);
  EXPECT_TRUE(admin.ReadDocument(for_a, 0).ok());
  EXPECT_TRUE(a.Complete(for_a, 10));
  EXPECT_TRUE(b.Complete(for_b, 10));
}

}  // namespace
}  // namespace spoolgate
