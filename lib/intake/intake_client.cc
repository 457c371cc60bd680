#include "lib/intake/intake_client.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/rpc_method.h>

#include "absl/strings/str_cat.h"
#include "lib/grpc/status_conversion.h"
#include "lib/grpc/tls.h"
#include "lib/intake/chunk_message.h"

namespace spoolgate {
namespace {
constexpr size_t kMaxChunk = 1 << 20;
// Below this, a chunk is a small job's data or a tail: it may wait in
// gRPC's buffer for the next message, and its buffer is not grown to
// kMaxChunk.
constexpr size_t kSmallChunk = 64 << 10;
constexpr absl::Duration kConnectWait = absl::Seconds(5);

// The Submit method's path, as the generated stub names it.
const char* SubmitMethod() {
  static const std::string* path =
      new std::string(absl::StrCat("/", v1::Intake::service_full_name(), "/Submit"));
  return path->c_str();
}
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
  job->context_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  AddCallToken(&job->context_);
  // The call's metadata leaves with the header, in one write: uncorked, the
  // sync API sends it on its own and waits for that (a thread switch per job).
  job->context_.set_initial_metadata_corked(true);
  // The stream the generated stub would open, with raw messages; the
  // stub's factory is what the generated code calls as well.
  grpc::internal::RpcMethod method(SubmitMethod(), grpc::internal::RpcMethod::BIDI_STREAMING,
                                   channel);
  job->stream_.reset(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &job->context_));
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
    grpc::ByteBuffer ignored;
    while (stream_->Read(&ignored)) {
    }
    final_status_ = FromGrpcStatus(stream_->Finish());
    if (final_status_.ok()) final_status_ = absl::UnavailableError("spooler ended the job stream");
  }
  return final_status_;
}

absl::Status IntakeJob::Send(const v1::SubmitRequest& request, Flush flush) {
  grpc::ByteBuffer message;
  bool own_buffer;
  grpc::Status serialized =
      grpc::SerializationTraits<v1::SubmitRequest>::Serialize(request, &message, &own_buffer);
  if (!serialized.ok()) return FromGrpcStatus(serialized);
  return SendBytes(message, flush);
}

absl::Status IntakeJob::SendBytes(const grpc::ByteBuffer& message, Flush flush) {
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
  if (!stream_->Write(message, options)) return FinalStatus();
  return absl::OkStatus();
}

absl::StatusOr<v1::SubmitResponse> IntakeJob::Receive() {
  if (finished_) return final_status_;
  grpc::ByteBuffer message;
  if (!stream_->Read(&message)) return FinalStatus();
  v1::SubmitResponse response;
  grpc::Status parsed =
      grpc::SerializationTraits<v1::SubmitResponse>::Deserialize(&message, &response);
  if (!parsed.ok()) {
    return absl::InternalError(
        absl::StrCat("unreadable answer from the spooler: ", parsed.error_message()));
  }
  return response;
}

absl::Status IntakeJob::StartDocument(const v1::DocumentStart& start) {
  v1::SubmitRequest request;
  *request.mutable_document_start() = start;
  return Send(request, Flush::kLater);
}

void IntakeJob::Reserve(size_t wanted) {
  size_t needed = std::min(chunk_size_ + wanted, kMaxChunk);
  if (needed <= chunk_capacity_) return;
  // Small jobs keep small buffers; bulk data gets a whole chunk at once.
  size_t capacity = needed > kSmallChunk ? kMaxChunk : kSmallChunk;
  auto bigger = std::unique_ptr<char[]>(new char[capacity]);
  if (chunk_size_ > 0) std::memcpy(bigger.get(), chunk_.get(), chunk_size_);
  chunk_ = std::move(bigger);
  chunk_capacity_ = capacity;
}

absl::Status IntakeJob::Write(absl::string_view data) {
  while (!data.empty()) {
    Reserve(data.size());
    size_t n = std::min(data.size(), chunk_capacity_ - chunk_size_);
    std::memcpy(chunk_.get() + chunk_size_, data.data(), n);
    data.remove_prefix(n);
    if (auto s = Filled(n); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Span<char> IntakeJob::Room() {
  // Most documents are small: a job's first chunk starts small and grows to
  // a whole one (a copy of what it holds) only once that is full.
  Reserve(bulk_sent_ || chunk_size_ >= kSmallChunk ? kMaxChunk : kSmallChunk - chunk_size_);
  return absl::MakeSpan(chunk_.get() + chunk_size_, chunk_capacity_ - chunk_size_);
}

absl::Status IntakeJob::Filled(size_t n) {
  chunk_size_ += std::min(n, chunk_capacity_ - chunk_size_);
  if (chunk_size_ == kMaxChunk) return FlushChunk(/*more_follows=*/false);
  return absl::OkStatus();
}

absl::Status IntakeJob::FlushChunk(bool more_follows) {
  if (chunk_size_ == 0) return absl::OkStatus();
  // A job that the spooler refuses costs the client at most one chunk: the
  // second goes only once the header is known to be accepted.
  if (bulk_sent_) {
    if (auto s = Accepted(); !s.ok()) return s;
  }
  // Bulk data goes at once; a small tail waits for what follows it.
  bool hold = more_follows || chunk_size_ < kSmallChunk;
  grpc::ByteBuffer message = ChunkMessage(std::move(chunk_), chunk_size_);
  chunk_capacity_ = chunk_size_ = 0;
  absl::Status s = SendBytes(message, hold ? Flush::kLater : Flush::kNow);
  if (!hold) bulk_sent_ = true;
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
