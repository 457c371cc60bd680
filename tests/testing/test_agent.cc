#include "tests/testing/test_agent.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "lib/base/checksum.h"
#include "lib/base/sha256.h"
#include "lib/grpc/status_conversion.h"

namespace spoolgate::testing {

TestAgent::TestAgent(const std::string& address, const std::string& agent_id,
                     const std::string& queue, int printers, std::string token)
    : token_(std::move(token)),
      stub_(v1::Dispatch::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {
  AddToken(&context_);
  stream_ = stub_->Attach(&context_);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id(agent_id);
  for (int i = 0; i < printers; ++i) {
    auto* p = hello.mutable_hello()->add_printers();
    p->set_name("p" + std::to_string(i));
    p->set_queue(queue);
    p->set_device_uri("dir:/dev/null");
    p->set_state(v1::PRINTER_STATE_IDLE);
  }
  stream_->Write(hello);
  reader_ = std::thread([this] {
    v1::SpoolerMessage message;
    while (stream_->Read(&message)) {
      absl::MutexLock lock(&mu_);
      inbox_.push_back(message);
    }
    absl::MutexLock lock(&mu_);
    ended_ = true;
  });
}

TestAgent::~TestAgent() { Disconnect(); }

void TestAgent::AddToken(grpc::ClientContext* context) const {
  if (!token_.empty()) context->AddMetadata("authorization", "Bearer " + token_);
}

void TestAgent::Disconnect() {
  if (disconnected_) return;
  disconnected_ = true;
  // Half-close and let the spooler end the stream, so every message sent
  // before (a completion, say) is applied; cancel only if it does not.
  stream_->WritesDone();
  {
    absl::MutexLock lock(&mu_);
    auto ended = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return ended_; };
    mu_.AwaitWithTimeout(absl::Condition(&ended), absl::Seconds(10));
  }
  context_.TryCancel();
  reader_.join();
  stream_->Finish();
}

std::optional<v1::SpoolerMessage> TestAgent::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !inbox_.empty() || ended_; };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (inbox_.empty()) return std::nullopt;
  v1::SpoolerMessage message = inbox_.front();
  inbox_.pop_front();
  return message;
}

std::optional<v1::AssignJob> TestAgent::NextAssignment(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto message = Next(deadline - absl::Now());
    if (!message) return std::nullopt;
    if (message->has_assign()) return message->assign();
  }
  return std::nullopt;
}

absl::StatusOr<TestAgent::Document> TestAgent::ReadDocument(uint64_t job_id, uint32_t document,
                                                            uint64_t offset) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  AddToken(&context);
  v1::ReadDocumentRequest request;
  request.set_job_id(job_id);
  request.set_document(document);
  request.set_offset(offset);
  auto reader = stub_->ReadDocument(&context, request);
  Sha256 sha;
  Checksum checksum(ChecksumAlgorithm::kXxh3_128);
  Document doc;
  v1::DocumentData chunk;
  while (reader->Read(&chunk)) {
    if (chunk.offset() != offset + doc.size) {
      context.TryCancel();
      reader->Finish();
      return absl::DataLossError("chunk offsets are not contiguous");
    }
    sha.Update(chunk.data());
    checksum.Update(chunk.data());
    doc.size += chunk.data().size();
  }
  auto status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  doc.sha256 = sha.HexDigest();
  doc.checksum = checksum.Finish();
  return doc;
}

bool TestAgent::Send(const v1::AgentMessage& message) { return stream_->Write(message); }

bool TestAgent::Complete(uint64_t job_id, uint64_t bytes) {
  v1::AgentMessage message;
  message.mutable_completed()->set_job_id(job_id);
  message.mutable_completed()->set_bytes_written(bytes);
  return Send(message);
}

bool TestAgent::Fail(uint64_t job_id, const std::string& error,
                     v1::FailureDisposition disposition) {
  v1::AgentMessage message;
  message.mutable_failed()->set_job_id(job_id);
  message.mutable_failed()->set_error(error);
  message.mutable_failed()->set_disposition(disposition);
  return Send(message);
}

}  // namespace spoolgate::testing
