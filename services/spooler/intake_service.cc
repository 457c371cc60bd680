#include "services/spooler/intake_service.h"

#include <memory>
#include <optional>
#include <vector>

#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/grpc/status_conversion.h"
#include "services/spooler/chunk_wire.h"

namespace spoolgate::spooler {
namespace {

// One Submit stream. At most one step of a stream runs at a time (one read
// or one write outstanding, or one step on the pool), so its members need
// no lock. It deletes itself when gRPC is done with the stream (OnDone); a
// job not committed by then is abandoned with the Submission.
//
// Steps that may wait for the disk (synced commits, spool-file writes and
// syncs) run on SlowSteps' pool rather than on gRPC's few callback threads,
// which serve every stream: waiting there would hold up the others, and
// their chance to share an fsync. See RunStep for the one exception.
class SubmitReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  SubmitReactor(Spooler& spooler, SlowSteps& slow, grpc::CallbackServerContext* context,
                absl::Status authorized)
      : spooler_(spooler), slow_(slow), peer_(context->peer()) {
    if (!authorized.ok()) {
      Finish(ToGrpcStatus(authorized));
      return;
    }
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client closed its side, or the stream broke, before a commit.
      if (submission_) {
        Finish(Fail(absl::CancelledError("stream ended before commit; job discarded")));
      } else {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty stream"));
      }
      return;
    }
    if (!Decode()) {
      Finish(Fail(absl::InvalidArgumentError("malformed request")));
      return;
    }
    RunStep();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client gone"));
      return;
    }
    StartRead(&incoming_);
  }

  void OnDone() override { delete this; }

 private:
  enum class Next { kRead, kReply, kReplyAndFinish, kFail };

  // Reads the message in incoming_. A chunk's data ends up in chunk_: views
  // of the slices (which slices_ keeps), or of request_ when it had to be
  // parsed. Anything else goes to request_.
  bool Decode() {
    chunk_.reset();
    slices_.clear();
    if (incoming_.Dump(&slices_).ok()) {
      std::vector<absl::string_view> pieces;
      pieces.reserve(slices_.size());
      for (const grpc::Slice& s : slices_) {
        pieces.emplace_back(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      chunk_ = ChunkDataOf(pieces);
    }
    if (chunk_) {
      incoming_.Clear();
      return true;
    }
    slices_.clear();
    // As gRPC parses a message (and clears the buffer).
    if (!grpc::GenericDeserialize<grpc::ProtoBufferReader, v1::SubmitRequest>(&incoming_, &request_)
             .ok()) {
      return false;
    }
    if (request_.has_chunk()) {
      chunk_ = std::vector<absl::string_view>{request_.chunk().data()};
    }
    return true;
  }

  v1::SubmitRequest::KindCase kind() const {
    return chunk_ ? v1::SubmitRequest::kChunk : request_.kind_case();
  }
  // Handles the message where it is cheapest without making others wait.
  void RunStep() {
    if (kind() == v1::SubmitRequest::kCommit) {
      // A commit may wait for its fsync right here, which costs no thread
      // switch, unless another callback thread already waits for the disk.
      slow_.Run([this] { Proceed(); });  // may end the stream, and `this` with it
    } else if (MayBlock()) {
      slow_.RunOnPool([this] { Proceed(); });
    } else {
      Proceed();
    }
  }

  // A chunk waits for the disk when it creates the document's spool file,
  // or when its file's writer falls behind; one that is only copied into
  // the writer's buffer is cheaper here (no thread switch, and the bytes
  // are still in this core's cache). Ending a spooled document syncs it.
  bool MayBlock() const {
    switch (kind()) {
      case v1::SubmitRequest::kChunk:
        return submission_ && submission_->ChunkMayWait(TotalSize(*chunk_));
      case v1::SubmitRequest::kDocumentEnd:
        return submission_ && submission_->WritesToFile(0);
      default:
        return false;
    }
  }

  // Handles the message and starts what comes next on the stream.
  void Proceed() {
    response_.Clear();
    Next next = Handle();
    chunk_.reset();
    slices_.clear();  // the chunk's bytes are where they belong now
    if (next == Next::kReply || next == Next::kReplyAndFinish) {
      bool own_buffer;
      outgoing_.Clear();  // the last reply's write is done
      if (!grpc::GenericSerialize<grpc::ProtoBufferWriter, v1::SubmitResponse>(response_, &outgoing_,
                                                                              &own_buffer)
               .ok()) {
        next = Refuse(absl::InternalError("cannot serialize the reply"));
      }
    }
    switch (next) {
      case Next::kRead:
        StartRead(&incoming_);
        break;
      case Next::kReply:
        StartWrite(&outgoing_);
        break;
      case Next::kReplyAndFinish:
        // The job is durable whether or not this reply reaches the client.
        StartWriteAndFinish(&outgoing_, grpc::WriteOptions(), grpc::Status::OK);
        break;
      case Next::kFail:
        Finish(failure_);
        break;
    }
  }

  // Applies the message to the submission; what to do next, with
  // response_ filled in for a reply and failure_ for kFail.
  Next Handle() {
    if (!submission_ && kind() != v1::SubmitRequest::kHeader) {
      return Refuse(absl::InvalidArgumentError("the first message must be a header"));
    }
    switch (kind()) {
      case v1::SubmitRequest::kHeader: {
        if (submission_) return Refuse(absl::InvalidArgumentError("header sent twice"));
        v1::JobHeader* header = request_.mutable_header();
        if (header->origin().peer().empty()) header->mutable_origin()->set_peer(peer_);
        if (header->origin().protocol().empty()) header->mutable_origin()->set_protocol("grpc");
        auto begun = spooler_.BeginJob(*header);
        if (!begun.ok()) return Refuse(begun.status());
        submission_ = *std::move(begun);
        response_.mutable_header_accepted()->set_job_id(submission_->job_id());
        return Next::kReply;
      }
      case v1::SubmitRequest::kDocumentStart:
        if (auto s = submission_->StartDocument(request_.document_start()); !s.ok()) return Refuse(s);
        return Next::kRead;
      case v1::SubmitRequest::kUpdate:
        if (auto s = submission_->Update(request_.update()); !s.ok()) return Refuse(s);
        return Next::kRead;
      case v1::SubmitRequest::kChunk:
        if (auto s = submission_->AppendChunk(*chunk_); !s.ok()) return Refuse(s);
        return Next::kRead;
      case v1::SubmitRequest::kDocumentEnd: {
        auto doc = submission_->EndDocument();
        if (!doc.ok()) return Refuse(doc.status());
        if (request_.document_end().no_reply()) return Next::kRead;
        auto* stored = response_.mutable_document_stored();
        stored->set_index(doc->index());
        stored->set_size_bytes(doc->size_bytes());
        stored->set_sha256(doc->sha256());
        stored->set_checksum(doc->checksum());
        return Next::kReply;
      }
      case v1::SubmitRequest::kCommit: {
        auto committed = submission_->Commit();
        if (!committed.ok()) return Refuse(committed.status());
        *response_.mutable_committed() = *committed;
        return Next::kReplyAndFinish;
      }
      default:
        return Refuse(absl::InvalidArgumentError("empty request"));
    }
  }

  Next Refuse(const absl::Status& status) {
    failure_ = Fail(status);
    return Next::kFail;
  }

  grpc::Status Fail(const absl::Status& status) const {
    Log("submit from %s refused%s: %s", peer_,
        submission_ ? absl::StrCat(" (job ", submission_->job_id(), ")") : "", status.ToString());
    return ToGrpcStatus(status);
  }

  Spooler& spooler_;
  SlowSteps& slow_;
  const std::string peer_;
  grpc::ByteBuffer incoming_;
  std::vector<grpc::Slice> slices_;  // incoming_'s, while chunk_ views them
  std::optional<std::vector<absl::string_view>> chunk_;  // set for every chunk
  v1::SubmitRequest request_;  // any message but a chunk read in place
  v1::SubmitResponse response_;
  grpc::ByteBuffer outgoing_;
  grpc::Status failure_;
  std::unique_ptr<Submission> submission_;
};

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* IntakeService::Submit(
    grpc::CallbackServerContext* context) {
  auto who = auth_.Authorize(*context, "Intake.Submit");
  return new SubmitReactor(spooler_, slow_, context, who.status());
}

}  // namespace spoolgate::spooler
