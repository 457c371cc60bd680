#include "services/spooler/intake_service.h"

#include "lib/base/logging.h"
#include "lib/grpc/status_conversion.h"

namespace spoolgate::spooler {

grpc::Status IntakeService::Submit(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream) {
  if (auto who = auth_.Authorize(*context, "Intake.Submit"); !who.ok()) {
    return ToGrpcStatus(who.status());
  }
  std::unique_ptr<Submission> submission;
  v1::SubmitRequest request;
  auto fail = [&](const absl::Status& status) {
    Log("submit from %s refused%s: %s", context->peer(),
        submission ? absl::StrCat(" (job ", submission->job_id(), ")") : "", status.ToString());
    return ToGrpcStatus(status);
  };
  while (stream->Read(&request)) {
    v1::SubmitResponse response;
    if (!submission && request.kind_case() != v1::SubmitRequest::kHeader) {
      return fail(absl::InvalidArgumentError("the first message must be a header"));
    }
    switch (request.kind_case()) {
      case v1::SubmitRequest::kHeader: {
        if (submission) return fail(absl::InvalidArgumentError("header sent twice"));
        v1::JobHeader header = request.header();
        if (header.origin().peer().empty()) header.mutable_origin()->set_peer(context->peer());
        if (header.origin().protocol().empty()) header.mutable_origin()->set_protocol("grpc");
        auto begun = spooler_.BeginJob(header);
        if (!begun.ok()) return fail(begun.status());
        submission = *std::move(begun);
        response.mutable_header_accepted()->set_job_id(submission->job_id());
        break;
      }
      case v1::SubmitRequest::kDocumentStart:
        if (auto s = submission->StartDocument(request.document_start()); !s.ok()) return fail(s);
        continue;
      case v1::SubmitRequest::kUpdate:
        if (auto s = submission->Update(request.update()); !s.ok()) return fail(s);
        continue;
      case v1::SubmitRequest::kChunk:
        if (auto s = submission->AppendChunk(request.chunk().data()); !s.ok()) return fail(s);
        continue;
      case v1::SubmitRequest::kDocumentEnd: {
        auto doc = submission->EndDocument();
        if (!doc.ok()) return fail(doc.status());
        if (request.document_end().no_reply()) continue;
        auto* stored = response.mutable_document_stored();
        stored->set_index(doc->index());
        stored->set_size_bytes(doc->size_bytes());
        stored->set_sha256(doc->sha256());
        break;
      }
      case v1::SubmitRequest::kCommit: {
        auto committed = submission->Commit();
        if (!committed.ok()) return fail(committed.status());
        *response.mutable_committed() = *committed;
        // The job is durable whether or not this reply reaches the client.
        stream->Write(response);
        return grpc::Status::OK;
      }
      default:
        return fail(absl::InvalidArgumentError("empty request"));
    }
    if (!stream->Write(response)) return grpc::Status(grpc::StatusCode::CANCELLED, "client gone");
  }
  if (submission) {
    return fail(absl::CancelledError("stream ended before commit; job discarded"));
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty stream");
}

}  // namespace spoolgate::spooler
