#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/grpc/status_conversion.h"
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

// Streams one file (or stdin for "-") as a document; the fd is closed here.
absl::Status SendDocument(
    grpc::ClientReaderWriter<v1::SubmitRequest, v1::SubmitResponse>* stream,
    const std::string& path, const std::string& format) {
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
  }
  request.mutable_document_end();
  if (!stream->Write(request)) return absl::UnavailableError("stream closed by the spooler");
  return absl::OkStatus();
}

std::string StateName(int state) {
  return std::string(spooler::JobStateName(static_cast<v1::JobState>(state)));
}

}  // namespace

int PrintCommand(const Context& ctx) {
  std::string queue = absl::GetFlag(FLAGS_queue);
  if (queue.empty() || ctx.args.empty()) {
    std::cerr << "usage: spoolctl print FILE... --queue=Q [--title=T] [--user=U] [--priority=N]\n";
    return kExitUsage;
  }
  auto stub = v1::Intake::NewStub(ctx.channel);
  grpc::ClientContext call;
  auto stream = stub->Submit(&call);
  v1::SubmitRequest request;
  auto* header = request.mutable_header();
  header->set_queue(queue);
  header->set_user(absl::GetFlag(FLAGS_user).empty() ? LoginName() : absl::GetFlag(FLAGS_user));
  header->set_host(HostName());
  header->set_title(absl::GetFlag(FLAGS_title).empty() ? BaseName(ctx.args[0])
                                                       : absl::GetFlag(FLAGS_title));
  header->set_priority(absl::GetFlag(FLAGS_priority));
  header->mutable_origin()->set_protocol("grpc");
  header->mutable_origin()->set_client_job_name(BaseName(ctx.args[0]));
  absl::Status status;
  if (!stream->Write(request)) status = absl::UnavailableError("stream closed");
  for (size_t i = 0; status.ok() && i < ctx.args.size(); ++i) {
    status = SendDocument(stream.get(), ctx.args[i], absl::GetFlag(FLAGS_format));
  }
  if (status.ok()) {
    request.mutable_commit();
    stream->Write(request);
  }
  stream->WritesDone();
  v1::SubmitResponse response;
  uint64_t job_id = 0;
  uint64_t bytes = 0;
  while (stream->Read(&response)) {
    if (response.has_document_stored()) bytes += response.document_stored().size_bytes();
    if (response.has_committed()) job_id = response.committed().job_id();
  }
  grpc::Status finish = stream->Finish();
  if (!finish.ok()) return ReportError("print", FromGrpcStatus(finish));
  if (!status.ok()) return ReportError("print", status);
  if (job_id == 0) return ReportError("print", absl::UnknownError("no commit from the spooler"));
  if (ctx.json) {
    std::cout << "{\"job_id\":\"" << job_id << "\",\"queue\":\"" << queue
              << "\",\"bytes\":\"" << bytes << "\"}\n";
  } else {
    std::cout << job_id << "\n";
  }
  return kExitOk;
}

int JobsCommand(const Context& ctx) {
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::ListJobsRequest request;
  request.set_queue(absl::GetFlag(FLAGS_queue));
  request.set_include_finished(absl::GetFlag(FLAGS_all));
  v1::ListJobsResponse response;
  auto status = stub->ListJobs(&call, request, &response);
  if (!status.ok()) return ReportError("jobs", FromGrpcStatus(status));
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

int CancelCommand(const Context& ctx) {
  if (ctx.args.empty()) {
    std::cerr << "usage: spoolctl cancel ID...\n";
    return kExitUsage;
  }
  auto stub = v1::Admin::NewStub(ctx.channel);
  int exit_code = kExitOk;
  for (const auto& arg : ctx.args) {
    uint64_t id = 0;
    if (!absl::SimpleAtoi(arg, &id)) {
      std::cerr << "spoolctl: cancel: '" << arg << "' is not a job id\n";
      return kExitUsage;
    }
    grpc::ClientContext call;
    SetDeadline(&call);
    v1::JobIdRequest request;
    request.set_id(id);
    request.set_reason("cancelled with spoolctl by " + LoginName());
    v1::Job job;
    auto status = stub->CancelJob(&call, request, &job);
    if (!status.ok()) {
      exit_code = ReportError(absl::StrCat("cancel ", id), FromGrpcStatus(status));
      continue;
    }
    if (ctx.json) {
      std::cout << ToJson(job) << "\n";
    } else {
      std::cout << "job " << id << " cancelled\n";
    }
  }
  return exit_code;
}

}  // namespace spoolgate::spoolctl
