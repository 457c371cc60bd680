#include "lib/intake/intake_client.h"

#include <algorithm>
#include <chrono>

#include "lib/grpc/status_conversion.h"
#include "lib/grpc/tls.h"

namespace spoolgate {
namespace {
constexpr size_t kMaxChunk = 1 << 20;
// Below this, a chunk is a small job's data or a tail: it may wait in
// gRPC's buffer for the next message, and its buffer is not grown to
// kMaxChunk.
constexpr size_t kSmallChunk = 64 << 10;
constexpr absl::Duration kConnectWait = absl::Seconds(5);
}  // namespace

absl::StatusOr<std::unique_ptr<IntakeJob>> IntakeJob::Open(
    const std::shared_ptr<grpc::Channel>& channel, const v1::JobHeader& header,
    absl::Duration deadline) {
  // A spooler that is restarting gets a few seconds to come back before the
  // job is refused: the client would only have to send it all again.
  if (channel->GetState(/*try_to_connect=*/true) != GRPC_CHANNEL_READY) {
    channel->WaitForConnected(absl::ToChronoTime(absl::Now() + std::min(deadline, kConnectWait)));
  }
  auto job = std::unique_ptr<IntakeJob>(new IntakeJob());
  job->stub_ = v1::Intake::NewStub(channel);
  job->context_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  AddCallToken(&job->context_);
  // The call's metadata leaves with the header, in one write: uncorked, the
  // sync API sends it on its own and waits for that (a thread switch per job).
  job->context_.set_initial_metadata_corked(true);
  job->stream_ = job->stub_->Submit(&job->context_);
  v1::SubmitRequest request;
  *request.mutable_header() = header;
  if (auto s = job->Send(request, Flush::kNow); !s.ok()) return s;
  return job;
}

absl::StatusOr<std::unique_ptr<IntakeJob>> IntakeJob::Begin(
    const std::shared_ptr<grpc::Channel>& channel, const v1::JobHeader& header,
    absl::Duration deadline) {
  auto job = Open(channel, header, deadline);
  if (!job.ok()) return job.status();
  if (auto s = (*job)->Accepted(); !s.ok()) return s;
  return job;
}

absl::Status IntakeJob::Accepted() {
  // The header went out unbuffered, so the answer comes whatever later
  // messages gRPC still holds back.
  if (accepted_) return absl::OkStatus();
  auto response = Receive();
  if (!response.ok()) return response.status();
  if (!response->has_header_accepted()) return absl::InternalError("spooler skipped header_accepted");
  job_id_ = response->header_accepted().job_id();
  accepted_ = true;
  return absl::OkStatus();
}

IntakeJob::~IntakeJob() {
  if (!done_) Abort();
}

absl::Status IntakeJob::FinalStatus() {
  if (!finished_) {
    finished_ = true;
    if (!writes_done_) stream_->WritesDone();
    v1::SubmitResponse ignored;
    while (stream_->Read(&ignored)) {
    }
    final_status_ = FromGrpcStatus(stream_->Finish());
    if (final_status_.ok()) final_status_ = absl::UnavailableError("spooler ended the job stream");
  }
  return final_status_;
}

absl::Status IntakeJob::Send(const v1::SubmitRequest& request, Flush flush) {
  if (finished_) return final_status_;
  // A message that needs no answer and is followed by more may wait in
  // gRPC's buffer: what follows a small job's header then reaches the
  // spooler in one piece with the commit, and wakes it once, not once per
  // message. The last one closes our side in the same write, instead of in
  // a write of its own that the sync API would wait for.
  grpc::WriteOptions options;
  if (flush == Flush::kLater) options.set_buffer_hint();
  if (flush == Flush::kLast) {
    options.set_last_message();
    writes_done_ = true;
  }
  if (!stream_->Write(request, options)) return FinalStatus();
  return absl::OkStatus();
}

absl::StatusOr<v1::SubmitResponse> IntakeJob::Receive() {
  if (finished_) return final_status_;
  v1::SubmitResponse response;
  if (!stream_->Read(&response)) return FinalStatus();
  return response;
}

absl::Status IntakeJob::StartDocument(const v1::DocumentStart& start) {
  v1::SubmitRequest request;
  *request.mutable_document_start() = start;
  return Send(request, Flush::kLater);
}

absl::Status IntakeJob::Write(absl::string_view data) {
  std::string* pending = chunk_.mutable_chunk()->mutable_data();
  while (!data.empty()) {
    // Small jobs keep small buffers; bulk data gets a whole chunk at once.
    if (pending->size() + data.size() > kSmallChunk && pending->capacity() < kMaxChunk) {
      pending->reserve(kMaxChunk);
    }
    size_t n = std::min(data.size(), kMaxChunk - pending->size());
    pending->append(data.data(), n);
    data.remove_prefix(n);
    if (pending->size() == kMaxChunk) {
      if (auto s = FlushChunk(/*more_follows=*/false); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status IntakeJob::FlushChunk(bool more_follows) {
  if (!chunk_.has_chunk() || chunk_.chunk().data().empty()) return absl::OkStatus();
  // A job that the spooler refuses costs the client at most one chunk: the
  // second goes only once the header is known to be accepted.
  if (bulk_sent_) {
    if (auto s = Accepted(); !s.ok()) return s;
  }
  // Bulk data goes at once; a small tail waits for what follows it.
  bool hold = more_follows || chunk_.chunk().data().size() < kSmallChunk;
  absl::Status s = Send(chunk_, hold ? Flush::kLater : Flush::kNow);
  if (!hold) bulk_sent_ = true;
  chunk_.mutable_chunk()->mutable_data()->clear();  // keeps its capacity
  return s;
}

absl::Status IntakeJob::EndDocument() {
  // The document's end follows the tail at once.
  if (auto s = FlushChunk(/*more_follows=*/true); !s.ok()) return s;
  v1::SubmitRequest request;
  request.mutable_document_end()->set_no_reply(true);
  return Send(request, Flush::kLater);
}

absl::Status IntakeJob::Update(const v1::JobUpdate& update) {
  v1::SubmitRequest request;
  *request.mutable_update() = update;
  return Send(request, Flush::kLater);
}

absl::StatusOr<v1::SubmitResponse::Committed> IntakeJob::Commit() {
  v1::SubmitRequest request;
  request.mutable_commit();
  if (auto s = Send(request, Flush::kLast); !s.ok()) return s;
  // An opened job learns here whether its header was accepted.
  if (auto s = Accepted(); !s.ok()) return s;
  auto response = Receive();
  if (!response.ok()) return response.status();
  if (!response->has_committed()) return absl::InternalError("expected committed");
  done_ = true;
  stream_->Finish();
  finished_ = true;
  return response->committed();
}

void IntakeJob::Abort() {
  if (done_) return;
  done_ = true;
  context_.TryCancel();
  if (!finished_) {
    finished_ = true;
    stream_->Finish();
  }
}

}  // namespace spoolgate
