#include "services/lpd-gateway/lpd_session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/model/printer_state.h"
#include "lib/grpc/status_conversion.h"
#include "lib/model/printer_state.h"
#include "lib/grpc/tls.h"
#include "services/lpd-gateway/lpd_reply.h"
#include "services/lpd-gateway/queue_listing.h"
#include "spoolgate/v1/admin.grpc.pb.h"

namespace spoolgate::lpd {
namespace {

constexpr size_t kFirstReadBytes = 64 << 10;
constexpr size_t kReadBytes = 1 << 20;

void SetTimeout(int fd, int option, absl::Duration d) {
  timeval tv = absl::ToTimeval(d);
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

// data file name -> (format letter, copies) from the control file's print lines.
std::map<std::string, std::pair<char, uint32_t>> PrintedFiles(const ControlFile& cf) {
  std::map<std::string, std::pair<char, uint32_t>> out;
  for (const auto& p : cf.prints) {
    auto [it, inserted] = out.try_emplace(p.data_file, p.format, 0);
    ++it->second.second;  // LPRng repeats the line once per copy
  }
  return out;
}

}  // namespace

LpdSession::LpdSession(int fd, net::Endpoint peer, const LpdOptions& options,
                       std::shared_ptr<grpc::Channel> channel, LpdQueueCache& queues,
                       LpdMetrics* metrics)
    : fd_(fd), peer_(std::move(peer)), options_(options), channel_(std::move(channel)),
      queues_(queues), metrics_(metrics) {}

absl::StatusOr<size_t> LpdSession::ReadSome() {
  // Small to start with (most jobs are small); a connection that fills it
  // is sending bulk data and gets the large buffer. Not make_unique: that
  // would zero the buffer.
  if (!read_buffer_ || (buffer_.size() == read_capacity_ && read_capacity_ < kReadBytes)) {
    read_capacity_ = read_buffer_ ? kReadBytes : kFirstReadBytes;
    read_buffer_.reset(new char[read_capacity_]);
  }
  buffer_ = {};
  auto n = ReadInto(read_buffer_.get(), read_capacity_);
  if (n.ok()) buffer_ = absl::string_view(read_buffer_.get(), *n);
  return n;
}

absl::StatusOr<size_t> LpdSession::ReadInto(char* into, size_t capacity) {
  while (true) {
    ssize_t n = ::recv(fd_, into, capacity, 0);
    // Acknowledge at once: a client whose last small write (the \0 after a
    // file) waits under Nagle for our ACK would otherwise stall for the
    // 40 ms delayed-ACK timer on every file. Linux clears it after use.
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return absl::DeadlineExceededError("peer idle too long");
    }
    return absl::UnavailableError("connection lost");
  }
}

bool LpdSession::Send(absl::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// A refusal is the code octet followed, as LPRng does, by a reason line.
bool LpdSession::SendAck(const absl::Status& status, absl::string_view reason) {
  char code = AckFor(status);
  if (code == kAckOk) return Send(absl::string_view("\0", 1));
  Log("%s: refused (%d): %s %s", net::FormatEndpoint(peer_), static_cast<int>(code), reason,
      status.message());
  if (metrics_) {
    std::string label = code == '\1' ? "not_accepting" : code == '\2' ? "unavailable" : "bad_format";
    metrics_->jobs_refused.Add({{"reason", label}}).Increment();
  }
  return Send(absl::StrCat(std::string(1, code), status.message(), "\n"));
}

absl::Status LpdSession::CheckAccess(const std::string& queue) {
  auto it = options_.queue_hosts.find(queue);
  const auto& ranges = it != options_.queue_hosts.end() ? it->second : options_.allowed_hosts;
  if (!ranges.empty() && !net::AddressInRanges(peer_.ip, ranges)) {
    return absl::PermissionDeniedError(absl::StrCat("host ", peer_.ip, " may not use queue ", queue));
  }
  if (options_.require_reserved_port && (peer_.port < 721 || peer_.port > 731)) {
    return absl::PermissionDeniedError(
        absl::StrCat("source port ", peer_.port, " is not a reserved port (721-731)"));
  }
  return absl::OkStatus();
}

absl::Status LpdSession::CheckQueue(const std::string& queue) {
  auto known = queues_.Find(queue, /*ignore_case=*/false);
  if (!known.ok()) return known.status();
  if (!known->accepting) {
    return absl::FailedPreconditionError(absl::StrCat("queue '", queue, "' is not accepting jobs"));
  }
  return absl::OkStatus();
}

void LpdSession::Run() {
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // acks are single bytes
  SetTimeout(fd_, SO_RCVTIMEO, options_.idle_timeout);
  SetTimeout(fd_, SO_SNDTIMEO, options_.idle_timeout);
  std::string pending;
  size_t lf = std::string::npos;
  while ((lf = pending.find('\n')) == std::string::npos) {
    if (pending.size() > options_.max_line_bytes) {
      Log("%s: command line longer than %d bytes; closing", net::FormatEndpoint(peer_),
          options_.max_line_bytes);
      return;
    }
    auto n = ReadSome();
    if (!n.ok() || *n == 0) return;
    pending.append(buffer_.data(), buffer_.size());
  }
  if (lf > options_.max_line_bytes) return;
  auto command = ParseDaemonCommand(absl::string_view(pending).substr(0, lf));
  if (!command.ok()) {
    Log("%s: %s; closing", net::FormatEndpoint(peer_), command.status().message());
    return;
  }
  absl::string_view rest = absl::string_view(pending).substr(lf + 1);
  switch (command->code) {
    case DaemonCode::kReceiveJob:
      ReceiveJob(*command, rest);
      break;
    case DaemonCode::kShortQueue:
    case DaemonCode::kLongQueue:
      QueueState(*command);
      break;
    case DaemonCode::kRemoveJobs:
      RemoveJobs(*command);
      break;
    case DaemonCode::kPrintWaiting:
      // The spooler schedules by itself; nothing to start.
      break;
  }
}

absl::Status LpdSession::OpenJob(const std::string& queue) {
  v1::JobHeader header;
  header.set_queue(queue);
  header.set_host(peer_.ip);
  header.mutable_origin()->set_protocol("lpd");
  header.mutable_origin()->set_peer(net::FormatEndpoint(peer_));
  // The spooler's answer to the header is read at the first file's
  // subcommand: it travels while the client sends that line.
  auto intake = IntakeJob::Open(channel_, header);
  if (!intake.ok()) return intake.status();
  job_ = Job();
  job_->queue = queue;
  job_->intake = *std::move(intake);
  return absl::OkStatus();
}

void LpdSession::DiscardJob(const char* reason) {
  if (job_) {
    Log("%s: job %d discarded: %s", net::FormatEndpoint(peer_), job_->intake->job_id(), reason);
    job_->intake->Abort();
    if (metrics_) metrics_->jobs_refused.Add({{"reason", "discarded"}}).Increment();
  }
  job_.reset();
  in_control_ = false;
  in_file_ = false;
}

void LpdSession::ReceiveJob(const DaemonCommand& command, absl::string_view pending) {
  // An unknown or stopped queue is refused here, from the queue cache; what
  // only the spooler knows (a full queue or disk) at the first file.
  absl::Status status = CheckAccess(command.queue);
  if (status.ok()) status = CheckQueue(command.queue);
  if (status.ok()) status = OpenJob(command.queue);
  if (!SendAck(status, "receive job") || !status.ok()) return;
  ReceiveJobParser parser({options_.max_line_bytes});
  std::vector<ReceiveEvent> events;
  // A data file refused midway (a full disk) is still read to its end, and
  // dropped, before the connection closes: clients read the refusal octet
  // only once they sent the whole file, and would block on a peer that
  // stopped reading.
  bool draining = false;
  auto drain_refused = [&] {
    DiscardJob("refused");
    draining = true;
  };
  auto process = [&]() -> bool {
    for (const auto& event : events) {
      if (draining) {
        if (event.kind == ReceiveEvent::Kind::kFileEnd) return false;
        continue;
      }
      if (!Handle(event, command.queue).ok()) {
        if (event.kind != ReceiveEvent::Kind::kData) {
          DiscardJob("refused");
          return false;
        }
        drain_refused();
      }
    }
    events.clear();
    return true;
  };
  if (!pending.empty()) {
    if (auto s = parser.Feed(pending, &events); !s.ok()) {
      SendAck(absl::InvalidArgumentError(s.message()), "malformed subcommand");
      DiscardJob("malformed input");
      return;
    }
    if (!process()) return;
  }
  while (true) {
    if (parser.awaiting_empty_file_decision()) {
      // Count 0 then \0: rlpr and CUPS wait for our ack (empty file);
      // LPRng streaming would go on sending.
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(options_.zero_count_silence))) == 0) {
        parser.ResolveEmptyFile(&events);
        if (!process()) return;
        continue;
      }
    }
    // A data file's bytes are read straight into the chunk that goes to the
    // spooler; the parser only learns how many there were.
    uint64_t ahead = !draining && job_ && in_file_ && !in_control_ ? parser.FileBytesAhead() : 0;
    absl::Span<char> room = ahead > 0 ? job_->intake->Room() : absl::Span<char>();
    auto n = ahead > 0 ? ReadInto(room.data(), std::min<uint64_t>(room.size(), ahead)) : ReadSome();
    if (!n.ok()) {
      DiscardJob(n.status().code() == absl::StatusCode::kDeadlineExceeded ? "peer stopped talking"
                                                                          : "connection lost");
      return;
    }
    if (ahead > 0 && *n > 0) {
      parser.SkipFileBytes(*n);
      if (!DataFileBytes(*n, job_->intake->Filled(*n)).ok()) drain_refused();
      continue;
    }
    if (*n == 0) {
      absl::Status end = parser.Finish(&events);
      if (!end.ok()) {
        DiscardJob("connection closed mid-file");
        return;
      }
      if (!process()) return;
      if (job_) DiscardJob("connection closed before the job was complete");
      return;
    }
    if (auto s = parser.Feed(buffer_, &events); !s.ok()) {
      SendAck(absl::InvalidArgumentError(s.message()), "malformed subcommand");
      process();  // nothing more to do with what came before
      DiscardJob("malformed input");
      return;
    }
    if (!process()) return;
  }
}

absl::Status LpdSession::Handle(const ReceiveEvent& event, const std::string& queue) {
  switch (event.kind) {
    case ReceiveEvent::Kind::kAbort:
      DiscardJob("aborted by the client");
      return absl::OkStatus();
    case ReceiveEvent::Kind::kZeroCountNul:
      return absl::OkStatus();
    case ReceiveEvent::Kind::kFileStart: {
      absl::Status status;
      if (!job_) status = OpenJob(queue);
      if (status.ok()) status = job_->intake->Accepted();
      if (status.ok() && event.control && event.count > options_.max_control_bytes) {
        status = absl::InvalidArgumentError(absl::StrCat("control file of ", event.count, " bytes"));
      }
      if (status.ok() && !event.control &&
          static_cast<int>(job_->next_document) >= options_.max_files_per_job) {
        status = absl::InvalidArgumentError("too many data files in one job");
      }
      if (status.ok() && event.control) {
        in_control_ = true;
        control_bytes_.clear();
        job_->control_name = event.name;
      } else if (status.ok()) {
        in_control_ = false;
        uint32_t index = job_->next_document++;
        job_->documents[event.name] = index;
        v1::DocumentStart start;
        start.set_name(event.name);
        if (job_->control) {
          auto printed = PrintedFiles(*job_->control);
          if (auto it = printed.find(event.name); it != printed.end()) {
            start.set_format(std::string(1, it->second.first));
            start.set_copies(it->second.second);
          }
          for (const auto& p : job_->control->prints) {
            if (p.data_file == event.name && !p.source.empty()) start.set_name(p.source);
          }
        }
        status = job_->intake->StartDocument(start);
      }
      in_file_ = status.ok();
      if (!SendAck(status, event.control ? "control file" : "data file")) {
        return absl::UnavailableError("peer gone");
      }
      return status;
    }
    case ReceiveEvent::Kind::kData: {
      if (!in_file_) return absl::InternalError("data outside a file");
      if (in_control_) {
        if (control_bytes_.size() + event.data.size() > options_.max_control_bytes) {
          absl::Status s = absl::InvalidArgumentError("control file too large");
          SendAck(s, "control file");
          return s;
        }
        control_bytes_.append(event.data.data(), event.data.size());
        return absl::OkStatus();
      }
      return DataFileBytes(event.data.size(), job_->intake->Write(event.data));
    }
    case ReceiveEvent::Kind::kFileEnd:
      return FileEnd(absl::Now());
  }
  return absl::InternalError("unknown event");
}

absl::Status LpdSession::DataFileBytes(size_t bytes, absl::Status stored) {
  if (metrics_) metrics_->bytes_received.Increment(static_cast<double>(bytes));
  if (!stored.ok()) SendAck(stored, "data file");
  return stored;
}

absl::Status LpdSession::FileEnd(absl::Time started) {
  if (!in_file_ || !job_) return absl::InternalError("file end outside a file");
  in_file_ = false;
  absl::Status status;
  if (in_control_) {
    in_control_ = false;
    auto cf = ParseControlFile(control_bytes_);
    if (!cf.ok()) {
      status = cf.status();
    } else {
      job_->control = *cf;
      v1::JobUpdate update;
      v1::JobHeader* h = update.mutable_header();
      h->set_user(cf->user);
      h->set_host(cf->host.empty() ? peer_.ip : cf->host);
      std::string title = cf->job_name;
      if (title.empty() && !cf->prints.empty()) title = cf->prints[0].source;
      h->set_title(title.empty() ? job_->control_name : title);
      if (auto name = ParseControlFileName(job_->control_name)) {
        h->set_priority(name->priority);
        h->mutable_origin()->set_client_job_id(name->job_number);
      }
      h->mutable_origin()->set_client_job_name(job_->control_name);
      // A client that resends a job because our ack came late reuses its
      // host, job number and bytes: the spooler acknowledges it once more
      // and prints it once.
      h->set_request_id(absl::StrCat("lpd\x1f", peer_.ip, "\x1f", cf->host, "\x1f",
                                     job_->control_name));
      h->set_request_id_with_content(true);
      v1::ControlAttributes* c = h->mutable_control();
      c->set_job_class(cf->job_class);
      c->set_banner(cf->has_banner);
      c->set_banner_user(cf->banner);
      c->set_mail_user(cf->mail);
      c->set_indent_columns(cf->indent);
      c->set_width_columns(cf->width);
      c->set_pr_title(cf->title);
      for (const auto& f : cf->fonts) c->add_fonts(f);
      for (const auto& l : cf->other_lines) c->add_other_lines(l);
      auto printed = PrintedFiles(*cf);
      for (const auto& p : cf->prints) {
        auto it = job_->documents.find(p.data_file);
        if (it == job_->documents.end()) continue;  // arrives later; started with its format
        v1::DocumentStart& doc = (*update.mutable_documents())[it->second];
        doc.set_format(std::string(1, printed[p.data_file].first));
        doc.set_copies(printed[p.data_file].second);
        if (!p.source.empty()) doc.set_name(p.source);
      }
      status = job_->intake->Update(update);
    }
  } else {
    status = job_->intake->EndDocument();
  }
  if (status.ok()) status = CommitIfComplete();
  if (metrics_) metrics_->ack_latency.Observe(absl::ToDoubleSeconds(absl::Now() - started));
  // Even if the peer has gone (it closed after sending), the job stands.
  SendAck(status, "file end");
  return status;
}

absl::Status LpdSession::CommitIfComplete() {
  if (!job_->control) return absl::OkStatus();
  for (const auto& p : job_->control->prints) {
    if (!job_->documents.count(p.data_file)) return absl::OkStatus();  // more to come
  }
  auto committed = job_->intake->Commit();
  if (!committed.ok()) return committed.status();
  Log("%s: job %d committed (%s, user %s, %d file(s))", net::FormatEndpoint(peer_),
      committed->job_id(), job_->control_name, job_->control->user, job_->documents.size());
  if (metrics_) metrics_->jobs_accepted.Add({{"queue", job_->queue}}).Increment();
  job_.reset();
  return absl::OkStatus();
}

namespace {

// Jobs asked of the spooler per page of a listing, and the most pages (a
// listing of a million jobs is cut there).
constexpr uint32_t kListingPageSize = 500;
constexpr int kMaxListingPages = 2000;

ListingEntry EntryFor(const v1::Job& job) {
  ListingEntry e;
  e.job = job.id();
  e.owner = job.user();
  e.host = job.host();
  e.active = job.state() == v1::JOB_STATE_PRINTING;
  switch (job.state()) {
    case v1::JOB_STATE_HELD: e.status = "hold"; break;
    case v1::JOB_STATE_COMPLETED: e.status = "done"; break;
    case v1::JOB_STATE_FAILED: e.status = "failed"; break;
    case v1::JOB_STATE_CANCELLED: e.status = "cancel"; break;
    default: break;
  }
  if (job.state() == v1::JOB_STATE_FAILED || job.state() == v1::JOB_STATE_CANCELLED) {
    e.reason = job.last_error();
  }
  for (const auto& d : job.documents()) e.files.emplace_back(d.name(), d.size_bytes());
  return e;
}

// The lines above the jobs: the queue's state and, as BSD lpq shows them,
// one line for each of its printers that cannot print now.
std::string StatusLines(const v1::Queue& queue, const v1::ListPrintersResponse& printers) {
  const std::string& name = queue.name();
  int attached = 0, printing = 0, unavailable = 0;
  std::vector<std::string> printer_lines;
  for (const auto& p : printers.printers()) {
    if (p.status().queue() != name) continue;
    ++attached;
    if (p.current_job() != 0) ++printing;
    if (PrinterUnavailable(p.status().state())) {
      ++unavailable;
      printer_lines.push_back(absl::StrCat(name, ": printer ", p.agent_id(), "/",
                                           p.status().name(), " is ", DescribePrinter(p.status())));
    }
  }
  std::string line;
  if (!queue.enabled()) {
    line = absl::StrCat(name, " is down: printing disabled");
  } else if (attached == 0) {
    line = absl::StrCat(name, " is ready, no printer attached");
  } else if (printing > 0) {
    line = absl::StrCat(name, " is ready and printing");
  } else if (unavailable == attached) {
    line = absl::StrCat(name, " is waiting: no printer can print now");
  } else {
    line = absl::StrCat(name, " is ready");
  }
  if (!queue.accepting()) absl::StrAppend(&line, "; queuing disabled");
  for (const auto& printer_line : printer_lines) absl::StrAppend(&line, "\n", printer_line);
  return line;
}

}  // namespace

void LpdSession::QueueState(const DaemonCommand& command) {
  if (auto s = CheckAccess(command.queue); !s.ok()) {
    Send(absl::StrCat(command.queue, ": ", s.message(), "\n"));
    return;
  }
  auto admin = v1::Admin::NewStub(channel_);
  auto deadline = absl::ToChronoTime(absl::Now() + absl::Seconds(30));
  grpc::ClientContext queues_call, printers_call;
  queues_call.set_deadline(deadline);
  AddCallToken(&queues_call);
  AddCallToken(&printers_call);
  printers_call.set_deadline(deadline);
  v1::ListQueuesResponse queues;
  v1::ListPrintersResponse printers;
  grpc::Status s = admin->ListQueues(&queues_call, v1::ListQueuesRequest(), &queues);
  if (s.ok()) s = admin->ListPrinters(&printers_call, v1::ListPrintersRequest(), &printers);
  if (!s.ok()) {
    Send(absl::StrCat(command.queue, ": spooler unavailable: ", s.error_message(), "\n"));
    return;
  }
  const v1::Queue* queue = nullptr;
  for (const auto& e : queues.queues()) {
    if (e.queue().name() == command.queue) queue = &e.queue();
  }
  if (queue == nullptr) {
    Send(absl::StrCat(command.queue, ": unknown printer\n"));
    return;
  }
  std::string line = StatusLines(*queue, printers);
  QueueListingWriter writer(command.list, command.code == DaemonCode::kLongQueue);
  if (!Send(writer.Begin(line))) return;
  // The jobs follow a page at a time: the first line does not wait for a
  // long queue, and no more than a page is held here.
  v1::ListJobsRequest request;
  request.set_queue(command.queue);
  request.set_page_size(kListingPageSize);
  if (options_.lpq_recent > absl::ZeroDuration()) {
    // As LPRng's lpq: jobs that finished lately stay listed, with their outcome.
    request.set_include_finished(true);
    request.set_finished_after_unix_micros(absl::ToUnixMicros(absl::Now() - options_.lpq_recent));
  }
  for (int page = 0; page < kMaxListingPages; ++page) {
    grpc::ClientContext jobs_call;  // a deadline per page: the client reads at its own pace
    jobs_call.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    AddCallToken(&jobs_call);
    v1::ListJobsResponse jobs;
    s = admin->ListJobs(&jobs_call, request, &jobs);
    if (!s.ok()) {
      Send(absl::StrCat(command.queue, ": spooler unavailable: ", s.error_message(), "\n"));
      return;
    }
    std::string text;
    for (const auto& job : jobs.jobs()) text += writer.Add(EntryFor(job));
    if (!text.empty() && !Send(text)) return;
    if (jobs.next_page_token().empty()) break;
    request.set_page_token(jobs.next_page_token());
  }
  Send(writer.End());
}

void LpdSession::RemoveJobs(const DaemonCommand& command) {
  if (auto s = CheckAccess(command.queue); !s.ok()) {
    Send(absl::StrCat(command.queue, ": ", s.message(), "\n"));
    return;
  }
  v1::RemoveJobsRequest request;
  request.set_queue(command.queue);
  // BSD lprm run by root with "-" sends "-all" in place of the agent name.
  bool bsd_root_all = command.agent == "-all";
  request.set_requester_user(bsd_root_all ? "root" : command.agent);
  if (bsd_root_all) request.set_all(true);
  request.set_requester_host(peer_.ip);
  request.set_requester_address(peer_.ip);
  for (const auto& item : command.list) {
    uint64_t id = 0;
    // BSD lprm sends "-all" for "lprm -" by root; LPRng sends "all".
    if (item == "-" || item == "all" || item == "-all") {
      request.set_all(true);
    } else if (absl::SimpleAtoi(item, &id)) {
      request.add_job_ids(id);
    } else {
      request.add_users(item);
    }
  }
  auto admin = v1::Admin::NewStub(channel_);
  grpc::ClientContext call;
  call.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  AddCallToken(&call);
  v1::RemoveJobsResponse response;
  auto s = admin->RemoveJobs(&call, request, &response);
  if (!s.ok()) {
    Send(absl::StrCat(command.queue, ": ", s.error_message(), "\n"));
    return;
  }
  std::string out;
  for (uint64_t id : response.removed()) absl::StrAppend(&out, "job ", id, " dequeued\n");
  for (uint64_t id : response.not_permitted()) {
    absl::StrAppend(&out, "job ", id, ": permission denied\n");
  }
  if (out.empty()) absl::StrAppend(&out, command.queue, ": no jobs of ", command.agent, " to remove\n");
  Log("%s: %s removed %d job(s) from %s, %d refused", net::FormatEndpoint(peer_), command.agent,
      response.removed_size(), command.queue, response.not_permitted_size());
  Send(out);
}

}  // namespace spoolgate::lpd
