// Agent throughput: the real spooler and printer-agent with a dir: device.
// Submits one large job and measures the time from commit to the finished
// file on the device (MB/s) and the agent's peak RSS.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <grpcpp/create_channel.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "spoolgate/v1/intake.grpc.pb.h"
#include "tests/testing/spooler_process.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(uint64_t, job_mib, 1024, "job size in MiB");

namespace spoolgate {
namespace {

int Run() {
  testing::TempDir dir;
  testing::SpoolerProcess spooler(dir.Sub("data"), dir.Sub("spooler.log"), {"--queues=bench"});
  if (!spooler.Start()) return 1;
  auto channel = grpc::CreateChannel(spooler.address(), grpc::InsecureChannelCredentials());
  uint64_t size = absl::GetFlag(FLAGS_job_mib) << 20;
  // Submit first (no agent yet), so only printing is timed.
  auto intake = v1::Intake::NewStub(channel);
  grpc::ClientContext context;
  auto stream = intake->Submit(&context);
  v1::SubmitRequest request;
  request.mutable_header()->set_queue("bench");
  stream->Write(request);
  request.mutable_document_start()->set_name("big");
  stream->Write(request);
  std::string chunk(1 << 20, 'x');
  for (uint64_t sent = 0; sent < size; sent += chunk.size()) {
    request.mutable_chunk()->set_data(chunk);
    stream->Write(request);
  }
  request.mutable_document_end();
  stream->Write(request);
  request.mutable_commit();
  stream->Write(request);
  stream->WritesDone();
  v1::SubmitResponse response;
  uint64_t id = 0;
  while (stream->Read(&response)) {
    if (response.has_committed()) id = response.committed().job_id();
  }
  if (!stream->Finish().ok() || id == 0) return 1;

  std::string out = dir.Sub("printer");
  absl::Time start = absl::Now();
  testing::Subprocess agent({testing::BinaryPath("services/printer-agent/printer-agent"),
                             "--spooler=" + spooler.address(), "--printer=bench=bench=dir:" + out,
                             "--metrics_listen="},
                            dir.Sub("agent.log"));
  auto admin = v1::Admin::NewStub(channel);
  v1::Job job;
  for (int i = 0; i < 6000; ++i) {  // at most 10 minutes
    grpc::ClientContext get;
    v1::GetJobRequest req;
    req.set_id(id);
    if (admin->GetJob(&get, req, &job).ok() && job.state() == v1::JOB_STATE_COMPLETED) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  uint64_t printed = std::filesystem::file_size(absl::StrCat(out, "/", id));
  std::cout << absl::StrFormat(
      "one %d MiB job to dir: %s, %.1f s from agent start, %.0f MB/s; agent peak RSS %d MiB\n",
      size >> 20, printed == size ? "complete" : "INCOMPLETE", seconds, size / seconds / 1e6,
      testing::PeakRssKib(agent.pid()) / 1024);
  return printed == size ? 0 : 1;
}

}  // namespace
}  // namespace spoolgate

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return spoolgate::Run();
}
