#include "services/spooler/dispatch_service.h"

#include <memory>
#include <string>

#include "lib/base/logging.h"
#include "lib/grpc/status_conversion.h"

namespace spoolgate::spooler {
namespace {

// An agent's documents are those leased to the printers it attached under
// the same credential; an admin (or anyone, without credentials) reads any.
std::string AgentCredentialOf(const Principal& principal) {
  return principal.role == Role::kAgent ? principal.name : "";
}

// One agent's Attach stream. The agent's messages are applied one at a
// time, each before the next is read; the first must be its hello. The
// Dispatcher's messages for it are written one at a time, as they are
// queued (AgentConnection::Listener). Reading ends when the agent closes
// its side, the stream breaks or the spooler closes the connection; the
// agent is then detached (its jobs go back to their queues), and the
// stream is finished once no write is outstanding. The reactor deletes
// itself when gRPC is done with the stream (OnDone).
class AttachReactor final : public grpc::ServerBidiReactor<v1::AgentMessage, v1::SpoolerMessage>,
                            public AgentConnection::Listener {
 public:
  AttachReactor(Spooler& spooler, SlowSteps& slow, grpc::CallbackServerContext* context,
                const absl::StatusOr<Principal>& who)
      : spooler_(spooler), slow_(slow), context_(context) {
    if (!who.ok()) {
      Finish(ToGrpcStatus(who.status()));
      return;
    }
    credential_ = AgentCredentialOf(*who);
    StartRead(&in_);
  }

  void OnReadDone(bool ok) override {
    // Applying a message may wait for the disk (a completion is synced),
    // and so may detaching (jobs requeued).
    if (!ok) {
      slow_.Run([this] { EndReads(grpc::Status::OK); });
    } else {
      slow_.Run([this] { Apply(); });
    }
  }

  void OnWriteDone(bool ok) override {
    if (!ok) context_->TryCancel();  // the agent is gone: reading ends too
    bool write = false;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ok && !reads_done_ && agent_->TryNext(&out_)) {
        writing_ = write = true;
      } else if (reads_done_ && !finished_) {
        finished_ = finish = true;
      }
    }
    if (write) StartWrite(&out_);
    if (finish) Finish(status_);
  }

  void OnDone() override { delete this; }

  // AgentConnection::Listener. Called with the Spooler's mutex held, maybe.
  void OnQueued() override {
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || reads_done_ || !agent_->TryNext(&out_)) return;
      writing_ = true;
    }
    // Outside the lock: gRPC may run OnWriteDone before StartWrite returns.
    StartWrite(&out_);
  }
  void OnClosed() override { context_->TryCancel(); }

 private:
  // Applies the message in in_ and reads the next.
  void Apply() {
    if (!agent_) {
      if (in_.kind_case() != v1::AgentMessage::kHello) {
        EndReads(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be hello"));
        return;
      }
      auto attached = spooler_.AttachAgent(in_.hello(), context_->peer(), credential_);
      if (!attached.ok()) {
        EndReads(ToGrpcStatus(attached.status()));
        return;
      }
      agent_ = *std::move(attached);
      agent_->SetListener(this);  // writes what AttachAgent queued
    } else if (absl::Status status = spooler_.HandleAgentMessage(*agent_, in_); !status.ok()) {
      Log("agent %s: %s", agent_->agent_id(), status.ToString());
      if (status.code() == absl::StatusCode::kInvalidArgument) {
        EndReads(ToGrpcStatus(status));
        return;
      }
      // Stale news about a job is not fatal.
    }
    StartRead(&in_);
  }

  // No more reads: detaches the agent, and finishes the stream with
  // `status` now or when the outstanding write is done.
  void EndReads(grpc::Status status) {
    if (agent_) {
      spooler_.DetachAgent(*agent_);  // closes the outbox
      agent_->RemoveListener();       // no OnQueued or OnClosed from now on
    }
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      reads_done_ = true;
      status_ = std::move(status);
      if (!writing_) finished_ = finish = true;
    }
    if (finish) Finish(status_);
  }

  Spooler& spooler_;
  SlowSteps& slow_;
  grpc::CallbackServerContext* const context_;
  std::string credential_;
  // Set once by the hello, before the listener is: then read by writers.
  std::shared_ptr<AgentConnection> agent_;
  v1::AgentMessage in_;  // the message read, until it is applied
  absl::Mutex mu_;
  v1::SpoolerMessage out_;  // the message being written; owned by the writer
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_;  // final; written before reads_done_
};

}  // namespace

grpc::ServerBidiReactor<v1::AgentMessage, v1::SpoolerMessage>* DispatchService::Attach(
    grpc::CallbackServerContext* context) {
  return new AttachReactor(spooler_, slow_, context, auth_.Authorize(*context, "Dispatch.Attach"));
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
