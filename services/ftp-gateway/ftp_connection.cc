#include "services/ftp-gateway/ftp_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/logging.h"
#include "lib/grpc/status_conversion.h"
#include "lib/grpc/tls.h"
#include "lib/intake/intake_client.h"
#include "services/ftp-gateway/ftp_reply.h"
#include "spoolgate/v1/admin.grpc.pb.h"

namespace spoolgate::ftp {
namespace {

constexpr size_t kDiscardBuffer = 256 << 10;

// The group column of a job's LIST line carries its state.
const char* JobStateLabel(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_PENDING: return "pending";
    case v1::JOB_STATE_HELD: return "held";
    case v1::JOB_STATE_PRINTING: return "printing";
    case v1::JOB_STATE_COMPLETED: return "printed";
    case v1::JOB_STATE_FAILED: return "failed";
    case v1::JOB_STATE_CANCELLED: return "cancelled";
    default: return "receiving";
  }
}

void SetTimeouts(int fd, absl::Duration d) {
  timeval tv = absl::ToTimeval(d);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

FtpConnection::FtpConnection(int fd, net::Endpoint peer, const FtpOptions& options,
                             std::shared_ptr<grpc::Channel> channel, QueueDirectory& directory,
                             FtpMetrics* metrics)
    : fd_(fd), control_(fd), peer_(std::move(peer)), local_(net::LocalOf(fd)), options_(options),
      channel_(std::move(channel)), metrics_(metrics), directory_(directory) {
  FtpSession::Options session_options;
  session_options.authenticate = options_.authenticate;
  session_options.default_queue = options_.default_queue;
  session_options.tls_available = options_.tls != nullptr;
  session_options.tls_required = options_.tls != nullptr && options_.tls_required;
  session_ = std::make_unique<FtpSession>(session_options, directory, peer_.ip);
}

bool FtpConnection::Send(const Reply& reply) { return control_.WriteAll(FormatReply(reply)); }

FtpConnection::LineResult FtpConnection::ReadLine(std::string* line) {
  bool too_long = false;
  while (true) {
    auto lf = pending_.find('\n');
    if (lf != std::string::npos) {
      *line = pending_.substr(0, lf);
      pending_.erase(0, lf + 1);
      return too_long ? LineResult::kTooLong : LineResult::kLine;
    }
    if (pending_.size() > options_.max_line_bytes) {
      too_long = true;  // drop what we have, keep reading to the end of the line
      pending_.clear();
    }
    char buffer[4096];
    ssize_t n = control_.Read(buffer, sizeof(buffer));
    if (n == 0) return LineResult::kClosed;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? LineResult::kIdle : LineResult::kClosed;
    }
    pending_.append(buffer, static_cast<size_t>(n));
  }
}

void FtpConnection::Run() {
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  SetTimeouts(fd_, options_.idle_timeout);
  Response greeting = session_->Greeting();
  if (!Send(greeting.reply) || greeting.action.kind == Action::Kind::kClose) return;
  std::string line;
  while (true) {
    switch (ReadLine(&line)) {
      case LineResult::kClosed:
        return;
      case LineResult::kIdle:
        Send({421, {"Idle timeout, closing the control connection"}});
        return;
      case LineResult::kTooLong:
        if (!Send({500, {"Command line too long"}})) return;
        continue;
      case LineResult::kLine:
        break;
    }
    auto command = ParseFtpCommand(line);
    if (!command.ok()) {
      if (!Send({500, {"Syntax error, command unrecognised"}})) return;
      continue;
    }
    Response response = session_->Handle(*command);
    switch (response.action.kind) {
      case Action::Kind::kPassive:
        OpenPassive(response.action.extended);
        break;
      case Action::Kind::kStore:
        Store(response.action);
        break;
      case Action::Kind::kList:
        List(response.action);
        break;
      case Action::Kind::kDelete:
        Delete(response.action);
        break;
      case Action::Kind::kStartTls:
        if (!Send(response.reply)) return;
        pending_.clear();  // nothing may be pipelined across the handshake
        if (auto s = control_.Accept(*options_.tls, options_.data_timeout); !s.ok()) {
          Log("%s: %s", net::FormatEndpoint(peer_), s.message());
          return;
        }
        if (metrics_) metrics_->tls_handshakes.Add({{"connection", "control"}, {"session", "new"}}).Increment();
        SetTimeouts(fd_, options_.idle_timeout);
        break;
      case Action::Kind::kClose:
        Send(response.reply);
        return;
      case Action::Kind::kAbort:
      case Action::Kind::kNone:
        if (!Send(response.reply)) return;
        break;
    }
    if (response.action.kind != Action::Kind::kPassive && passive_ &&
        session_->data_mode() != FtpSession::DataMode::kPassive) {
      passive_.reset();  // a PORT after PASV, or a transfer used it
    }
  }
}

void FtpConnection::OpenPassive(bool extended) {
  passive_.reset();
  auto listener = PassiveListener::Open(local_.ip, options_.passive_ports);
  if (!listener.ok()) {
    session_->PassiveOpened(false);
    Send({425, {absl::StrCat("Cannot open a passive port: ", listener.status().message())}});
    return;
  }
  int port = listener->port();
  if (extended) {
    passive_ = *std::move(listener);
    session_->PassiveOpened(true);
    Send({229, {FormatEpsvReply(port)}});
    return;
  }
  std::string ip = options_.public_address.empty() ? local_.ip : options_.public_address;
  auto text = FormatPasvReply({ip, port});
  if (!text.ok()) {
    session_->PassiveOpened(false);
    Send({425, {std::string(text.status().message())}});
    return;
  }
  passive_ = *std::move(listener);
  session_->PassiveOpened(true);
  Send({227, {*text}});
}

absl::StatusOr<UniqueFd> FtpConnection::ConnectData() {
  if (session_->data_mode() == FtpSession::DataMode::kActive) {
    return ConnectActive(session_->active_target(), options_.data_timeout);
  }
  if (!passive_) return absl::FailedPreconditionError("no passive port open");
  if (metrics_) metrics_->passive_ports.Increment();
  auto conn = passive_->Accept(peer_.ip, options_.data_timeout);
  if (metrics_) metrics_->passive_ports.Decrement();
  passive_.reset();
  return conn;
}

absl::StatusOr<std::unique_ptr<FtpConnection::DataStream>> FtpConnection::OpenData() {
  auto fd = ConnectData();
  if (!fd.ok()) return fd.status();
  auto data = std::make_unique<DataStream>(*std::move(fd));
  SetTimeouts(data->fd.get(), options_.data_timeout);
  return data;
}

absl::Status FtpConnection::SecureData(DataStream& data) {
  // RFC 4217: under PROT P the server is the TLS server on the data
  // connection, in passive and active mode alike. The handshake follows the
  // 150 reply: Python's ftplib starts it only once it has read that reply,
  // curl and lftp at once (their hello waits in the socket meanwhile).
  if (!session_->data_protected()) return absl::OkStatus();
  auto status = data.stream.Accept(*options_.tls, options_.data_timeout, TlsStream::Tickets::kNone);
  if (status.ok() && metrics_) {
    metrics_->tls_handshakes.Add({{"connection", "data"}, {"session", data.stream.resumed() ? "resumed" : "new"}})
        .Increment();
  }
  return status;
}

void FtpConnection::Store(const Action& action) {
  absl::Time started = absl::Now();
  auto refuse = [&](const Reply& reply, const char* reason) {
    if (metrics_) metrics_->uploads.Add({{"result", reason}}).Increment();
    Log("%s: upload of %s to %s refused: %s", net::FormatEndpoint(peer_), action.name,
        action.queue, reply.lines.empty() ? "" : reply.lines[0]);
    session_->TransferDone();
    passive_.reset();
    Send(reply);
  };
  v1::JobHeader header;
  header.set_queue(action.queue);
  header.set_user(session_->user());
  header.set_host(peer_.ip);
  header.set_title(action.name);
  header.mutable_origin()->set_protocol("ftp");
  header.mutable_origin()->set_peer(net::FormatEndpoint(peer_));
  header.mutable_origin()->set_client_job_name(action.name);
  // The spooler's answer to the header comes with the commit's: a small
  // file costs one round trip to the spooler. A refused job is answered
  // after its upload (or its first chunk), with the same reply.
  auto intake = IntakeJob::Open(channel_, header);
  if (!intake.ok()) return refuse(FtpReplyFor(intake.status(), FtpStep::kUpload), "refused");
  v1::DocumentStart start;
  start.set_name(action.name);
  start.set_format("raw");
  if (auto s = (*intake)->StartDocument(start); !s.ok()) return refuse(FtpReplyFor(s, FtpStep::kUpload), "refused");
  auto data = OpenData();
  session_->TransferDone();
  if (!data.ok()) {
    return refuse({425, {absl::StrCat("Cannot open data connection: ", data.status().message())}},
                  "no_data_connection");
  }
  Send({150, {absl::StrCat("Opening ", session_->ascii() ? "ASCII" : "BINARY",
                           " mode data connection for ", action.name, " (printing to ",
                           action.queue, ")")}});
  if (auto s = SecureData(**data); !s.ok()) {
    data->reset();
    (*intake)->Abort();
    if (metrics_) metrics_->uploads.Add({{"result", "no_data_connection"}}).Increment();
    Send({425, {absl::StrCat("Cannot open data connection: ", s.message(), "; nothing was queued")}});
    return;
  }
  uint64_t bytes = 0;
  absl::Status status = ReceiveUpload(**data, **intake, &bytes);
  // Our close_notify answers the client's (ftplib's unwrap() waits for it);
  // closing the connection tells every client the upload was taken.
  if (status.ok()) (*data)->stream.Close();
  data->reset();
  if (status.ok()) status = (*intake)->EndDocument();
  absl::StatusOr<v1::SubmitResponse::Committed> committed =
      status.ok() ? (*intake)->Commit() : absl::StatusOr<v1::SubmitResponse::Committed>(status);
  if (!committed.ok()) {
    (*intake)->Abort();
    return ReplyUploadFailed(committed.status());
  }
  if (metrics_) {
    metrics_->uploads.Add({{"result", "accepted"}}).Increment();
    metrics_->transfer_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - started));
  }
  Log("%s: %s stored as job %d in %s (%d bytes, user %s)", net::FormatEndpoint(peer_),
      action.name, committed->job_id(), action.queue, bytes, session_->user());
  Send({226, {absl::StrCat("Job ", committed->job_id(), " queued on ", action.queue, " (", bytes,
                           " bytes, position ", committed->position() + 1, ")"),
              "Transfer complete"}});
}

absl::Status FtpConnection::ReceiveUpload(DataStream& data, IntakeJob& intake,
                                          uint64_t* bytes) {
  absl::Status status;
  // Once the spooler refused the job (a full disk, a size limit), the rest
  // is read and dropped: clients such as curl read the reply only after
  // they sent everything, and a reset data connection would hide it.
  absl::Status refused;
  // One transfer per session: the control connection is watched only for
  // ABOR (and a hang-up) until the upload ends.
  while (status.ok()) {
    pollfd fds[2] = {{data.fd.get(), POLLIN, 0}, {fd_, POLLIN, 0}};
    // Bytes TLS already decrypted are invisible to poll.
    bool buffered = data.stream.Pending() || control_.Pending();
    int ready = ::poll(fds, 2, buffered ? 0 : static_cast<int>(absl::ToInt64Milliseconds(options_.data_timeout)));
    if (data.stream.Pending()) fds[0].revents |= POLLIN;
    if (control_.Pending()) fds[1].revents |= POLLIN;
    if (ready == 0 && !buffered) {
      status = absl::DeadlineExceededError("data connection stalled");
      break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      std::string line;
      LineResult r = ReadLine(&line);
      if (r == LineResult::kClosed) {
        status = absl::CancelledError("control connection closed during the upload");
        break;
      }
      auto command = ParseFtpCommand(line);
      if (command.ok() && command->verb == "ABOR") {
        status = absl::AbortedError("aborted");
        break;
      }
      Send({503, {"An upload is in progress; only ABOR is accepted"}});
      continue;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      // Bytes are read straight into the chunk that goes to the spooler;
      // those of a refused upload into a buffer kept for dropping them
      // (allocated once per connection, and not zeroed).
      if (!refused.ok() && !discard_buffer_) discard_buffer_.reset(new char[kDiscardBuffer]);
      absl::Span<char> into =
          refused.ok() ? intake.Room() : absl::MakeSpan(discard_buffer_.get(), kDiscardBuffer);
      ssize_t n = data.stream.Read(into.data(), into.size());
      if (n == 0) break;  // end of file
      if (n < 0) {
        if (errno == EINTR) continue;
        status = absl::DataLossError("data connection broken");
        break;
      }
      *bytes += static_cast<uint64_t>(n);
      if (metrics_) metrics_->bytes_received.Increment(static_cast<double>(n));
      if (refused.ok()) refused = intake.Filled(static_cast<size_t>(n));
    }
  }
  return status.ok() ? refused : status;
}

void FtpConnection::ReplyUploadFailed(const absl::Status& s) {
  if (s.code() == absl::StatusCode::kAborted) {
    if (metrics_) metrics_->uploads.Add({{"result", "aborted"}}).Increment();
    Send({426, {"Transfer aborted; nothing was queued"}});
    Send({226, {"ABOR command successful"}});
    return;
  }
  if (s.code() == absl::StatusCode::kDataLoss || s.code() == absl::StatusCode::kDeadlineExceeded) {
    if (metrics_) metrics_->uploads.Add({{"result", "broken"}}).Increment();
    Send({426, {absl::StrCat("Connection closed; transfer aborted (", s.message(), "); nothing was queued")}});
    return;
  }
  if (metrics_) metrics_->uploads.Add({{"result", "failed"}}).Increment();
  Send(FtpReplyFor(s, FtpStep::kUpload));
}

absl::StatusOr<std::vector<v1::Job>> FtpConnection::QueueJobs(const std::string& queue,
                                                              bool finished) {
  auto admin = v1::Admin::NewStub(channel_);
  grpc::ClientContext call;
  call.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  AddCallToken(&call);
  v1::ListJobsRequest request;
  request.set_queue(queue);
  request.set_include_finished(finished);  // so users see their job went through
  request.set_limit(200);
  v1::ListJobsResponse jobs;
  auto status = FromGrpcStatus(admin->ListJobs(&call, request, &jobs));
  if (!status.ok()) return status;
  return std::vector<v1::Job>(jobs.jobs().begin(), jobs.jobs().end());
}

namespace {

// A job's name in a queue listing: "ID-title", spaces and slashes made '_'.
std::string ListedName(const v1::Job& job) {
  std::string name = absl::StrCat(job.id(), "-", job.title().empty() ? "job" : job.title());
  std::replace(name.begin(), name.end(), ' ', '_');
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

}  // namespace

void FtpConnection::List(const Action& action) {
  std::string text;
  if (action.queue.empty()) {
    auto queues = directory_.Queues();
    if (!queues.ok()) return Discard(FtpReplyFor(queues.status(), FtpStep::kLookup));
    for (const auto& q : *queues) {
      text += action.names_only
                  ? absl::StrCat(q.name, "\r\n")
                  : absl::StrFormat("drwxrwxr-x %4d %-9s %-9s %8d Jan  1 00:00 %s\r\n",
                                    q.waiting, q.accepting ? "accepting" : "rejecting",
                                    q.printers == 0 ? "noprinter" : q.printer_state,
                                    0, q.name);
    }
  } else {
    auto jobs = QueueJobs(action.queue, /*finished=*/true);
    if (!jobs.ok()) return Discard(FtpReplyFor(jobs.status(), FtpStep::kLookup));
    for (const auto& job : *jobs) {
      text += action.names_only
                  ? absl::StrCat(ListedName(job), "\r\n")
                  : absl::StrFormat("-rw-r--r--    1 %-8s %-9s %8d %s %s\r\n",
                                    job.user().empty() ? "-" : job.user(),
                                    JobStateLabel(job.state()), job.total_bytes(),
                                    absl::FormatTime("%b %e %H:%M",
                                                     absl::FromUnixMicros(job.submitted_unix_micros()),
                                                     absl::LocalTimeZone()),
                                    ListedName(job));
    }
  }
  auto data = OpenData();
  session_->TransferDone();
  if (!data.ok()) {
    Send({425, {absl::StrCat("Cannot open data connection: ", data.status().message())}});
    return;
  }
  Send({150, {absl::StrCat("Here comes the listing of /", action.queue)}});
  if (auto s = SecureData(**data); !s.ok()) {
    Send({425, {absl::StrCat("Cannot open data connection: ", s.message())}});
    return;
  }
  bool sent = (*data)->stream.WriteAll(text);
  (*data)->stream.Close();
  data->reset();
  Send(sent ? Reply{226, {"Listing sent"}} : Reply{426, {"Listing interrupted"}});
}

void FtpConnection::Discard(const Reply& reply) {
  session_->TransferDone();
  passive_.reset();
  Send(reply);
}

void FtpConnection::Delete(const Action& action) {
  auto jobs = QueueJobs(action.queue, /*finished=*/false);
  if (!jobs.ok()) return (void)Send(FtpReplyFor(jobs.status(), FtpStep::kLookup));
  const v1::Job* match = nullptr;
  for (const auto& job : *jobs) {
    if (job.user() != session_->user()) continue;
    if (ListedName(job) == action.name || job.title() == action.name) {
      match = &job;
      break;  // the first in print order: the one that would print next
    }
  }
  if (match == nullptr) {
    Send({550, {absl::StrCat("No waiting job of yours named ", action.name, " in ", action.queue)}});
    return;
  }
  if (match->state() == v1::JOB_STATE_PRINTING) {
    Send({550, {absl::StrCat("Job ", match->id(), " is already printing; ask an administrator")}});
    return;
  }
  // Removed on the user's behalf: the spooler checks that the job is theirs.
  auto admin = v1::Admin::NewStub(channel_);
  grpc::ClientContext call;
  call.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  AddCallToken(&call);
  v1::RemoveJobsRequest request;
  request.set_queue(action.queue);
  request.add_job_ids(match->id());
  request.set_requester_user(session_->user());
  request.set_requester_host(peer_.ip);
  request.set_requester_address(peer_.ip);
  v1::RemoveJobsResponse removed;
  auto status = FromGrpcStatus(admin->RemoveJobs(&call, request, &removed));
  if (!status.ok()) return (void)Send(FtpReplyFor(status, FtpStep::kLookup));
  if (removed.removed_size() != 1) {
    Send({550, {absl::StrCat("Job ", match->id(), " cannot be deleted by ", session_->user())}});
    return;
  }
  Log("%s: %s cancelled job %d (%s) in %s", net::FormatEndpoint(peer_), session_->user(),
      match->id(), action.name, action.queue);
  Send({250, {absl::StrCat("Job ", match->id(), " cancelled")}});
}

}  // namespace spoolgate::ftp
