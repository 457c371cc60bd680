// A printer agent for tests, speaking the real Dispatch API: attaches with
// printers, collects assignments, reads documents and reports results.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "spoolgate/v1/dispatch.grpc.pb.h"

namespace spoolgate::testing {

class TestAgent {
 public:
  // Attaches as `agent_id` with `printers` printers serving `queue`,
  // presenting bearer `token` on every call when it is not empty.
  TestAgent(const std::string& address, const std::string& agent_id, const std::string& queue,
            int printers = 1, std::string token = "");
  ~TestAgent();

  // The next message from the spooler, or nullopt after `timeout`.
  std::optional<v1::SpoolerMessage> Next(absl::Duration timeout);
  // The next assignment's job, skipping other messages; nullopt on timeout.
  std::optional<v1::AssignJob> NextAssignment(absl::Duration timeout);

  struct Document {
    uint64_t size = 0;
    std::string sha256;    // hex, as sha256sum prints it
    std::string checksum;  // as the spooler's default Document.checksum
  };
  // Streams a document via ReadDocument and sums it (never held whole).
  absl::StatusOr<Document> ReadDocument(uint64_t job_id, uint32_t document, uint64_t offset = 0);

  bool Send(const v1::AgentMessage& message);
  bool Complete(uint64_t job_id, uint64_t bytes = 0);
  bool Fail(uint64_t job_id, const std::string& error, v1::FailureDisposition disposition);
  // Closes the stream the way an agent that shuts down does (half-close,
  // then wait for the spooler); the spooler requeues unfinished jobs.
  void Disconnect();

 private:
  void AddToken(grpc::ClientContext* context) const;

  const std::string token_;
  std::unique_ptr<v1::Dispatch::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AgentMessage, v1::SpoolerMessage>> stream_;
  absl::Mutex mu_;
  std::deque<v1::SpoolerMessage> inbox_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::thread reader_;
  bool disconnected_ = false;
};

}  // namespace spoolgate::testing
