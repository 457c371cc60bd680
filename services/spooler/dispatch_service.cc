#include "services/spooler/dispatch_service.h"

#include <thread>

#include "lib/base/logging.h"
#include "lib/grpc/status_conversion.h"

namespace spoolgate::spooler {
namespace {

// An agent's documents are those leased to the printers it attached under
// the same credential; an admin (or anyone, without credentials) reads any.
std::string AgentCredentialOf(const Principal& principal) {
  return principal.role == Role::kAgent ? principal.name : "";
}

}  // namespace

grpc::Status DispatchService::Attach(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::SpoolerMessage, v1::AgentMessage>* stream) {
  auto who = auth_.Authorize(*context, "Dispatch.Attach");
  if (!who.ok()) return ToGrpcStatus(who.status());
  v1::AgentMessage message;
  if (!stream->Read(&message)) return grpc::Status::OK;
  if (message.kind_case() != v1::AgentMessage::kHello) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be hello");
  }
  auto attached = spooler_.AttachAgent(message.hello(), context->peer(), AgentCredentialOf(*who));
  if (!attached.ok()) return ToGrpcStatus(attached.status());
  std::shared_ptr<AgentConnection> agent = *attached;
  agent->SetCancelHook([context] { context->TryCancel(); });
  // gRPC allows one reader and one writer at a time on a stream: this
  // thread reads, the writer drains the outbox.
  std::thread writer([&] {
    v1::SpoolerMessage out;
    while (agent->Next(&out)) {
      if (!stream->Write(out)) {
        context->TryCancel();
        break;
      }
    }
  });
  absl::Status status;
  while (stream->Read(&message)) {
    status = spooler_.HandleAgentMessage(*agent, message);
    if (!status.ok()) {
      Log("agent %s: %s", agent->agent_id(), status.ToString());
      if (status.code() == absl::StatusCode::kInvalidArgument) break;
      status = absl::OkStatus();  // stale news about a job: not fatal
    }
  }
  spooler_.DetachAgent(*agent);  // closes the outbox, ending the writer
  writer.join();
  return ToGrpcStatus(status);
}

grpc::Status DispatchService::ReadDocument(grpc::ServerContext* context,
                                           const v1::ReadDocumentRequest* request,
                                           grpc::ServerWriter<v1::DocumentData>* writer) {
  auto who = auth_.Authorize(*context, "Dispatch.ReadDocument");
  if (!who.ok()) return ToGrpcStatus(who.status());
  bool client_gone = false;
  auto status = spooler_.ReadDocument(
      request->job_id(), request->document(), request->offset(), AgentCredentialOf(*who),
      [&](uint64_t offset, absl::string_view data) {
        v1::DocumentData chunk;
        chunk.set_offset(offset);
        chunk.set_data(std::string(data));
        // Write blocks under flow control: a slow agent slows the reads.
        if (!writer->Write(chunk)) {
          client_gone = true;
          return false;
        }
        return true;
      });
  if (client_gone) return grpc::Status(grpc::StatusCode::CANCELLED, "reader gone");
  return ToGrpcStatus(status);
}

}  // namespace spoolgate::spooler
