// A gateway's side of one Intake.Submit stream: header, documents in
// chunks, update, commit. Any failure ends the stream and returns the
// spooler's status, which the gateway maps to its wire reply.
//
// The spooler answers twice: when it accepts the header and when the job
// is committed. A job opened with Open() sends its header at once but
// reads the answer only with the commit's, so a small job costs one round
// trip; what follows the header waits in gRPC's buffer until the commit.
// Bulk data past the first chunk is sent only once the header is known to
// be accepted, so a refused job stops after its first chunk.
//
// Not thread safe: one per job. Destroying it before Commit() cancels the
// stream, and the spooler discards the job.
#pragma once

#include <memory>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "spoolgate/v1/intake.grpc.pb.h"

namespace spoolgate {

class IntakeJob {
 public:
  // Opens the stream with the header, and returns without waiting for the
  // spooler's answer: a refusal shows at a later call. Waits up to 5 s for
  // a channel that is not connected (a spooler that is restarting).
  static absl::StatusOr<std::unique_ptr<IntakeJob>> Open(
      const std::shared_ptr<grpc::Channel>& channel, const v1::JobHeader& header,
      absl::Duration deadline = absl::Hours(6));
  // Open() and Accepted(): returns once the spooler took the header.
  static absl::StatusOr<std::unique_ptr<IntakeJob>> Begin(
      const std::shared_ptr<grpc::Channel>& channel, const v1::JobHeader& header,
      absl::Duration deadline = absl::Hours(6));
  ~IntakeJob();

  // Waits for the spooler's answer to the header (once; later calls return
  // at once): OK if it took the job, its refusal otherwise. Call it before
  // sending anything that a refusal should stop.
  absl::Status Accepted();
  // 0 until the spooler's acceptance was read: after Begin() or Accepted(),
  // and in an opened job after its first bulk chunk or Commit().
  uint64_t job_id() const { return job_id_; }
  absl::Status StartDocument(const v1::DocumentStart& start);
  // Queues `data` for the open document. Bytes go to the spooler in chunks
  // of 1 MiB (gRPC flow control applies), the rest with EndDocument: a
  // socket read in small pieces still costs few messages.
  absl::Status Write(absl::string_view data);
  // The same without a copy: Room() is free space in the chunk being
  // filled (never empty), for a socket to be read into directly; Filled(n)
  // says that its first n bytes now hold the document's next bytes.
  absl::Span<char> Room();
  absl::Status Filled(size_t n);
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
  // When a message leaves: kLater when it needs no answer and another one
  // follows soon (gRPC may hold it back to send both together); kNow; and
  // kLast for the stream's last message, which also closes our side.
  enum class Flush { kLater, kNow, kLast };
  absl::Status Send(const v1::SubmitRequest& request, Flush flush);
  absl::Status SendBytes(const grpc::ByteBuffer& message, Flush flush);
  // Makes room in the chunk for `wanted` more bytes, or as many as fit.
  void Reserve(size_t wanted);
  // Sends the queued bytes; `more_follows`: another message follows at once.
  absl::Status FlushChunk(bool more_follows);
  // Reads the next response, or the stream's final status as an error.
  absl::StatusOr<v1::SubmitResponse> Receive();
  absl::Status FinalStatus();

  grpc::ClientContext context_;
  // Raw messages: chunks are sent as built by ChunkMessage, the rest is
  // serialized and parsed here.
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream_;
  // Bytes queued by Write or Filled, not yet sent: chunk_size_ of
  // chunk_capacity_. The buffer goes to gRPC with the chunk.
  std::unique_ptr<char[]> chunk_;
  size_t chunk_capacity_ = 0;
  size_t chunk_size_ = 0;
  uint64_t job_id_ = 0;
  bool accepted_ = false;      // header_accepted read
  bool bulk_sent_ = false;     // a chunk went out before the acceptance was read
  bool done_ = false;  // committed or aborted
  bool finished_ = false;
  bool writes_done_ = false;  // our side of the stream is closed
  absl::Status final_status_;
};

}  // namespace spoolgate
