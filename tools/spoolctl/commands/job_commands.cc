#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/grpc/status_conversion.h"
#include "lib/grpc/tls.h"
#include "services/spooler/job_state.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "spoolgate/v1/intake.grpc.pb.h"
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/flags.h"
#include "tools/spoolctl/table.h"

namespace spoolgate::spoolctl {
namespace {

constexpr size_t kChunkBytes = 256 << 10;

std::string LoginName() {
  if (const char* user = getenv("USER"); user != nullptr && *user) return user;
  if (struct passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return "unknown";
}

std::string HostName() {
  char name[256] = {};
  gethostname(name, sizeof(name) - 1);
  return name;
}

std::string BaseName(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A progress bar on stderr when it is a terminal; silent otherwise.
class Progress {
 public:
  explicit Progress(uint64_t total) : total_(total), tty_(isatty(STDERR_FILENO) == 1) {}
  void Add(uint64_t n) {
    done_ += n;
    if (!tty_ || total_ == 0) return;
    int percent = static_cast<int>(done_ * 100 / total_);
    if (percent == last_) return;
    last_ = percent;
    int filled = percent * 30 / 100;
    std::cerr << absl::StrFormat("\r[%s%s] %3d%% %s / %s", std::string(filled, '#'),
                                 std::string(30 - filled, ' '), percent, HumanBytes(done_),
                                 HumanBytes(total_))
              << std::flush;
  }
  ~Progress() {
    if (tty_ && total_ > 0 && last_ >= 0) std::cerr << "\n";
  }

 private:
  uint64_t total_, done_ = 0;
  bool tty_;
  int last_ = -1;
};

absl::Status SendDocument(
    grpc::ClientReaderWriter<v1::SubmitRequest, v1::SubmitResponse>* stream,
    const std::string& path, const std::string& format, Progress& progress) {
  int fd = path == "-" ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  struct Closer {
    int fd;
    ~Closer() {
      if (fd != STDIN_FILENO) close(fd);
    }
  } closer{fd};
  v1::SubmitRequest request;
  request.mutable_document_start()->set_name(path == "-" ? "stdin" : BaseName(path));
  request.mutable_document_start()->set_format(format);
  request.mutable_document_start()->set_copies(absl::GetFlag(FLAGS_copies));
  if (!stream->Write(request)) return absl::UnavailableError("stream closed by the spooler");
  std::string buffer(kChunkBytes, '\0');
  while (true) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
    }
    if (n == 0) break;
    request.mutable_chunk()->set_data(buffer.data(), static_cast<size_t>(n));
    if (!stream->Write(request)) return absl::UnavailableError("stream closed by the spooler");
    progress.Add(static_cast<uint64_t>(n));
  }
  request.mutable_document_end();
  if (!stream->Write(request)) return absl::UnavailableError("stream closed by the spooler");
  return absl::OkStatus();
}

bool ParseId(const std::string& text, uint64_t* id) {
  if (!absl::SimpleAtoi(text, id) || *id == 0) {
    std::cerr << "spoolctl: '" << text << "' is not a job id\n";
    return false;
  }
  return true;
}

// Prints one changed job as the command's result.
void ShowResult(const Context& ctx, const v1::Job& job, const std::string& what) {
  if (ctx.json) {
    std::cout << ToJson(job) << "\n";
  } else {
    std::cout << "job " << job.id() << " " << what << "\n";
  }
}

std::string Micros(int64_t us) { return HumanTime(us); }

}  // namespace

std::string StateName(v1::JobState state) { return std::string(spooler::JobStateName(state)); }

int PrintCommand(const Context& ctx) {
  std::string queue = absl::GetFlag(FLAGS_queue);
  if (queue.empty() || ctx.args.empty()) {
    std::cerr << "usage: spoolctl print FILE... --queue=Q [--title=T] [--user=U] [--priority=N]\n";
    return kExitUsage;
  }
  uint64_t total = 0;
  for (const auto& path : ctx.args) {
    struct stat st;
    if (path != "-" && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
  }
  auto stub = v1::Intake::NewStub(ctx.channel);
  grpc::ClientContext call;
  AddCallToken(&call);
  auto stream = stub->Submit(&call);
  v1::SubmitRequest request;
  auto* header = request.mutable_header();
  header->set_queue(queue);
  header->set_user(absl::GetFlag(FLAGS_user).empty() ? LoginName() : absl::GetFlag(FLAGS_user));
  header->set_host(HostName());
  header->set_title(absl::GetFlag(FLAGS_title).empty() ? BaseName(ctx.args[0])
                                                       : absl::GetFlag(FLAGS_title));
  header->set_priority(absl::GetFlag(FLAGS_priority));
  if (absl::GetFlag(FLAGS_banner)) {
    header->mutable_control()->set_banner(true);
    header->mutable_control()->set_banner_user(header->user());
  }
  header->set_expected_bytes(total);
  header->set_request_id(absl::GetFlag(FLAGS_request_id));
  header->mutable_origin()->set_protocol("grpc");
  header->mutable_origin()->set_client_job_name(BaseName(ctx.args[0]));
  absl::Status status;
  if (!stream->Write(request)) status = absl::UnavailableError("stream closed");
  {
    Progress progress(total);
    for (size_t i = 0; status.ok() && i < ctx.args.size(); ++i) {
      status = SendDocument(stream.get(), ctx.args[i], absl::GetFlag(FLAGS_format), progress);
    }
  }
  if (status.ok()) {
    request.mutable_commit();
    stream->Write(request);
  }
  stream->WritesDone();
  v1::SubmitResponse response;
  uint64_t job_id = 0, bytes = 0;
  bool duplicate = false;
  while (stream->Read(&response)) {
    if (response.has_document_stored()) bytes += response.document_stored().size_bytes();
    if (response.has_committed()) {
      job_id = response.committed().job_id();
      duplicate = response.committed().duplicate();
    }
  }
  grpc::Status finish = stream->Finish();
  if (!finish.ok()) return ReportError("print", FromGrpcStatus(finish));
  if (!status.ok()) return ReportError("print", status);
  if (job_id == 0) return ReportError("print", absl::UnknownError("no commit from the spooler"));
  if (ctx.json) {
    std::cout << "{\"job_id\":\"" << job_id << "\",\"queue\":\"" << queue
              << "\",\"bytes\":\"" << bytes << "\",\"duplicate\":" << (duplicate ? "true" : "false")
              << "}\n";
  } else {
    std::cout << job_id << "\n";
    if (duplicate) {
      std::cerr << "spoolctl: request " << absl::GetFlag(FLAGS_request_id) << " was already printed as job "
                << job_id << "; not queued again\n";
    }
  }
  return kExitOk;
}

int JobsCommand(const Context& ctx) {
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::ListJobsRequest request;
  request.set_queue(absl::GetFlag(FLAGS_queue));
  request.set_user(absl::GetFlag(FLAGS_user));
  request.set_include_finished(absl::GetFlag(FLAGS_all));
  for (const auto& name : absl::GetFlag(FLAGS_state)) {
    v1::JobState state;
    if (!v1::JobState_Parse("JOB_STATE_" + absl::AsciiStrToUpper(name), &state)) {
      std::cerr << "spoolctl: jobs: unknown state '" << name << "'\n";
      return kExitUsage;
    }
    request.add_states(state);
  }
  // One page: a queue of 100,000 jobs is not read at once.
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_page_token(absl::GetFlag(FLAGS_page_token));
  v1::ListJobsResponse response;
  auto status = stub->ListJobs(&call, request, &response);
  if (!status.ok()) return ReportError("jobs", FromGrpcStatus(status));
  if (!response.next_page_token().empty()) {
    std::cerr << "spoolctl: more jobs follow: add --page_token=" << response.next_page_token()
              << "\n";
  }
  if (ctx.json) {
    for (const auto& job : response.jobs()) std::cout << ToJson(job) << "\n";
    return kExitOk;
  }
  Table table({"ID", "QUEUE", "STATE", "PRI", "USER", "HOST", "TITLE", "SIZE", "SUBMITTED",
               "PRINTER"});
  for (const auto& job : response.jobs()) {
    table.AddRow({absl::StrCat(job.id()), job.queue(), StateName(job.state()),
                  absl::StrCat(job.priority()), job.user(), job.host(), job.title(),
                  HumanBytes(job.total_bytes()), HumanTime(job.submitted_unix_micros()),
                  job.printer().empty() ? "-" : job.printer()});
  }
  std::cout << table.Render();
  return kExitOk;
}

int JobCommand(const Context& ctx) {
  uint64_t id;
  if (ctx.args.size() != 1) {
    std::cerr << "usage: spoolctl job ID\n";
    return kExitUsage;
  }
  if (!ParseId(ctx.args[0], &id)) return kExitUsage;
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::GetJobRequest request;
  request.set_id(id);
  v1::Job job;
  auto status = stub->GetJob(&call, request, &job);
  if (!status.ok()) return ReportError(absl::StrCat("job ", id), FromGrpcStatus(status));
  if (ctx.json) {
    std::cout << ToJson(job) << "\n";
    return kExitOk;
  }
  const auto& c = job.control();
  Table fields({"Job", absl::StrCat(job.id())});
  auto field = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) fields.AddRow({name, value});
  };
  field("Queue", job.queue());
  field("State", StateName(job.state()));
  field("Priority", absl::StrCat(job.priority()));
  field("User", job.user());
  field("Host", job.host());
  field("Title", job.title());
  field("Origin", absl::StrCat(job.origin().protocol(), " from ", job.origin().peer(),
                               job.origin().client_job_name().empty() ? "" : " as ",
                               job.origin().client_job_name()));
  field("Size", HumanBytes(job.total_bytes()));
  field("Created", Micros(job.created_unix_micros()));
  field("Submitted", Micros(job.submitted_unix_micros()));
  field("Started", job.started_unix_micros() ? Micros(job.started_unix_micros()) : "");
  field("Finished", job.finished_unix_micros() ? Micros(job.finished_unix_micros()) : "");
  field("Attempts", absl::StrCat(job.attempts()));
  field("Printer", job.printer());
  field("Printed", job.bytes_printed() ? HumanBytes(job.bytes_printed()) : "");
  field("Last error", job.last_error());
  field("Class", c.job_class());
  field("Banner for", c.banner_user());
  field("Mail to", c.mail_user());
  field("Indent", c.indent_columns() ? absl::StrCat(c.indent_columns()) : "");
  field("Width", c.width_columns() ? absl::StrCat(c.width_columns()) : "");
  field("Warnings", absl::StrJoin(job.warnings(), "; "));
  std::cout << fields.Render() << "\n";
  Table docs({"DOC", "NAME", "FORMAT", "COPIES", "SIZE", "CHECKSUM"});
  for (const auto& d : job.documents()) {
    // Records from before `checksum` existed carry only `sha256`.
    std::string checksum = !d.checksum().empty() || d.sha256().empty()
                               ? d.checksum()
                               : absl::StrCat("sha256:", d.sha256());
    docs.AddRow({absl::StrCat(d.index()), d.name(), d.format(), absl::StrCat(d.copies()),
                 HumanBytes(d.size_bytes()), checksum});
  }
  std::cout << docs.Render();
  if (job.history_size() > 0) {
    Table attempts({"ATTEMPT", "PRINTER", "STARTED", "FINISHED", "OUTCOME", "ERROR"});
    int n = 0;
    for (const auto& a : job.history()) {
      attempts.AddRow({absl::StrCat(++n), a.printer(), Micros(a.started_unix_micros()),
                       Micros(a.finished_unix_micros()), a.outcome().empty() ? "-" : a.outcome(),
                       a.error().empty() ? "-" : a.error()});
    }
    std::cout << "\n" << attempts.Render();
  }
  return kExitOk;
}

int JobActionCommand(const Context& ctx, const std::string& action) {
  auto stub = v1::Admin::NewStub(ctx.channel);
  std::vector<uint64_t> ids;
  if (absl::GetFlag(FLAGS_all)) {
    if (absl::GetFlag(FLAGS_queue).empty() || !ctx.args.empty()) {
      std::cerr << "usage: spoolctl " << action << " --queue=Q --all\n";
      return kExitUsage;
    }
    v1::ListJobsRequest request;
    request.set_queue(absl::GetFlag(FLAGS_queue));
    if (action == "hold") request.add_states(v1::JOB_STATE_PENDING);
    if (action == "release") request.add_states(v1::JOB_STATE_HELD);
    do {  // every page
      grpc::ClientContext call;
      SetDeadline(&call);
      v1::ListJobsResponse response;
      auto status = stub->ListJobs(&call, request, &response);
      if (!status.ok()) return ReportError(action, FromGrpcStatus(status));
      for (const auto& job : response.jobs()) ids.push_back(job.id());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
  } else {
    if (ctx.args.empty()) {
      std::cerr << "usage: spoolctl " << action << " ID... | --queue=Q --all\n";
      return kExitUsage;
    }
    for (const auto& arg : ctx.args) {
      uint64_t id;
      if (!ParseId(arg, &id)) return kExitUsage;
      ids.push_back(id);
    }
  }
  int exit_code = kExitOk;
  for (uint64_t id : ids) {
    grpc::ClientContext call;
    SetDeadline(&call);
    v1::JobIdRequest request;
    request.set_id(id);
    request.set_reason(absl::GetFlag(FLAGS_reason).empty()
                           ? absl::StrCat("cancelled with spoolctl by ", LoginName())
                           : absl::GetFlag(FLAGS_reason));
    v1::Job job;
    grpc::Status status = action == "cancel" ? stub->CancelJob(&call, request, &job)
                          : action == "hold" ? stub->HoldJob(&call, request, &job)
                                             : stub->ReleaseJob(&call, request, &job);
    if (!status.ok()) {
      exit_code = ReportError(absl::StrCat(action, " ", id), FromGrpcStatus(status));
      continue;
    }
    ShowResult(ctx, job, action == "cancel" ? "cancelled" : action == "hold" ? "held" : "released");
  }
  return exit_code;
}

int MoveCommand(const Context& ctx) {
  if (ctx.args.size() < 2) {
    std::cerr << "usage: spoolctl move ID... QUEUE\n";
    return kExitUsage;
  }
  auto stub = v1::Admin::NewStub(ctx.channel);
  int exit_code = kExitOk;
  const std::string& queue = ctx.args.back();
  for (size_t i = 0; i + 1 < ctx.args.size(); ++i) {
    uint64_t id;
    if (!ParseId(ctx.args[i], &id)) return kExitUsage;
    grpc::ClientContext call;
    SetDeadline(&call);
    v1::MoveJobRequest request;
    request.set_id(id);
    request.set_queue(queue);
    v1::Job job;
    auto status = stub->MoveJob(&call, request, &job);
    if (!status.ok()) {
      exit_code = ReportError(absl::StrCat("move ", id), FromGrpcStatus(status));
      continue;
    }
    ShowResult(ctx, job, absl::StrCat("moved to ", queue));
  }
  return exit_code;
}

int PriorityCommand(const Context& ctx) {
  uint64_t id;
  int priority;
  if (ctx.args.size() != 2 || !absl::SimpleAtoi(ctx.args[1], &priority)) {
    std::cerr << "usage: spoolctl priority ID N   (N: 0..25, higher prints first)\n";
    return kExitUsage;
  }
  if (!ParseId(ctx.args[0], &id)) return kExitUsage;
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::SetJobPriorityRequest request;
  request.set_id(id);
  request.set_priority(priority);
  v1::Job job;
  auto status = stub->SetJobPriority(&call, request, &job);
  if (!status.ok()) return ReportError(absl::StrCat("priority ", id), FromGrpcStatus(status));
  ShowResult(ctx, job, absl::StrCat("priority ", priority));
  return kExitOk;
}

}  // namespace spoolgate::spoolctl
