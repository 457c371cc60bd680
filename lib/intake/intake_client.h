// A gateway's side of one Intake.Submit stream: header, documents in
// chunks, update, commit. Each call that the protocol acknowledges waits for
// the spooler's answer (document synced, job committed); any failure ends
// the stream and returns the spooler's status, which the gateway maps to
// its wire reply.
//
// Not thread safe: one per job. Destroying it before Commit() cancels the
// stream, and the spooler discards the job.
#pragma once

#include <memory>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "spoolgate/v1/intake.grpc.pb.h"

namespace spoolgate {

class IntakeJob {
 public:
  // Opens the stream and sends the header; returns after the spooler
  // accepted it (queue exists, accepting, not full). Waits up to 5 s for a
  // channel that is not connected (a spooler that is restarting).
  static absl::StatusOr<std::unique_ptr<IntakeJob>> Begin(
      const std::shared_ptr<grpc::Channel>& channel, const v1::JobHeader& header,
      absl::Duration deadline = absl::Hours(6));
  ~IntakeJob();

  uint64_t job_id() const { return job_id_; }
  absl::Status StartDocument(const v1::DocumentStart& start);
  // Queues `data` for the open document. Bytes go to the spooler in chunks
  // of 1 MiB (gRPC flow control applies), the rest with EndDocument: a
  // socket read in small pieces still costs few messages.
  absl::Status Write(absl::string_view data);
  // Ends the document without waiting for the spooler: a failure to store
  // it shows at Commit(), which is the only promise a client is given.
  absl::Status EndDocument();
  absl::Status Update(const v1::JobUpdate& update);
  // Returns once the job is committed (durable, PENDING).
  absl::StatusOr<v1::SubmitResponse::Committed> Commit();
  // Cancels the stream: the spooler discards the job.
  void Abort();

 private:
  IntakeJob() = default;
  // `more_follows`: the message needs no answer and another one follows
  // soon, so gRPC may hold it back to send both together.
  absl::Status Send(const v1::SubmitRequest& request, bool more_follows);
  absl::Status FlushChunk();
  // Reads the next response, or the stream's final status as an error.
  absl::StatusOr<v1::SubmitResponse> Receive();
  absl::Status FinalStatus();

  std::unique_ptr<v1::Intake::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::SubmitRequest, v1::SubmitResponse>> stream_;
  v1::SubmitRequest chunk_;  // bytes queued by Write, not yet sent
  uint64_t job_id_ = 0;
  bool done_ = false;  // committed or aborted
  bool finished_ = false;
  absl::Status final_status_;
};

}  // namespace spoolgate
