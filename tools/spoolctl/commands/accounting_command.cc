// spoolctl accounting: the spooler's record of finished jobs.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "lib/grpc/status_conversion.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/flags.h"
#include "tools/spoolctl/table.h"

namespace spoolgate::spoolctl {
namespace {

// "24h" (that long ago), "2026-12-01" (local midnight) or RFC 3339.
bool ParseWhen(const std::string& text, absl::Time now, absl::Time* out) {
  absl::Duration ago;
  if (absl::ParseDuration(text, &ago)) {
    *out = now - ago;
    return true;
  }
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, out, &error)) return true;
  return absl::ParseTime("%Y-%m-%d", text, absl::LocalTimeZone(), out, &error);
}

// RFC 4180: quote a field when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::string Iso(int64_t micros) {
  if (micros == 0) return "";
  return absl::FormatTime(absl::RFC3339_sec, absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

}  // namespace

int AccountingCommand(const Context& ctx) {
  absl::Time now = absl::Now(), since, until = now;
  if (!ParseWhen(absl::GetFlag(FLAGS_since), now, &since) ||
      (!absl::GetFlag(FLAGS_until).empty() && !ParseWhen(absl::GetFlag(FLAGS_until), now, &until))) {
    std::cerr << "spoolctl: --since/--until take a duration (24h) or a date (2026-12-01, "
                 "2026-12-01T08:00:00Z)\n";
    return kExitUsage;
  }
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::ListAccountingRequest request;
  request.set_since_unix_micros(absl::ToUnixMicros(since));
  request.set_until_unix_micros(absl::ToUnixMicros(until));
  v1::ListAccountingResponse response;
  auto status = stub->ListAccounting(&call, request, &response);
  if (!status.ok()) return ReportError("accounting", FromGrpcStatus(status));
  if (ctx.json) {
    for (const auto& r : response.records()) std::cout << ToJson(r) << "\n";
    return kExitOk;
  }
  if (absl::GetFlag(FLAGS_csv)) {
    std::cout << "job_id,queue,printer,user,host,title,protocol,documents,bytes,bytes_printed,"
                 "copies,attempts,submitted,started,finished,outcome,reason\r\n";
    for (const auto& r : response.records()) {
      std::vector<std::string> names;
      for (const auto& d : r.documents()) names.push_back(d.name());
      std::vector<std::string> fields = {
          absl::StrCat(r.job_id()), r.queue(), r.printer(), r.user(), r.host(), r.title(),
          r.protocol(), absl::StrJoin(names, ";"), absl::StrCat(r.bytes()),
          absl::StrCat(r.bytes_printed()), absl::StrCat(r.copies()), absl::StrCat(r.attempts()),
          Iso(r.submitted_unix_micros()), Iso(r.started_unix_micros()),
          Iso(r.finished_unix_micros()), r.outcome(), r.reason()};
      for (auto& f : fields) f = CsvField(f);
      std::cout << absl::StrJoin(fields, ",") << "\r\n";
    }
    return kExitOk;
  }
  Table table({"JOB", "QUEUE", "PRINTER", "USER", "HOST", "TITLE", "VIA", "SIZE", "COPIES",
               "FINISHED", "OUTCOME", "REASON"});
  for (const auto& r : response.records()) {
    table.AddRow({absl::StrCat(r.job_id()), r.queue(), r.printer().empty() ? "-" : r.printer(),
                  r.user(), r.host(), r.title(), r.protocol(), HumanBytes(r.bytes()),
                  absl::StrCat(r.copies()), HumanTime(r.finished_unix_micros()), r.outcome(),
                  r.reason().empty() ? "-" : r.reason()});
  }
  std::cout << table.Render();
  return kExitOk;
}

}  // namespace spoolgate::spoolctl
