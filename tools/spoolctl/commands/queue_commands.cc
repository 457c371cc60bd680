#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/command_line.h"
#include "lib/grpc/status_conversion.h"
#include "lib/model/error_policy.h"
#include "spoolgate/v1/admin.grpc.pb.h"
#include "tools/spoolctl/commands/commands.h"
#include "tools/spoolctl/flags.h"
#include "tools/spoolctl/table.h"

namespace spoolgate::spoolctl {
namespace {

// "retry-job (5 attempts, 30s apart)", "stop-printer" ...
std::string ErrorPolicyText(const v1::Queue& q) {
  std::string text = ErrorPolicyName(q.error_policy());
  if (q.error_policy() != v1::ERROR_POLICY_RETRY_JOB &&
      q.error_policy() != v1::ERROR_POLICY_UNSPECIFIED) {
    return text;
  }
  std::string limit = q.retry_limit() ? absl::StrCat(q.retry_limit(), " attempts") : "default attempts";
  std::string interval =
      q.retry_interval_seconds() ? absl::StrCat(q.retry_interval_seconds(), "s apart") : "backoff";
  return absl::StrCat(text, " (", limit, ", ", interval, ")");
}

// "10 jobs, 100.0 MiB per user per 24h" or "-".
std::string QuotaText(const v1::Queue& q) {
  if (q.quota_period_seconds() == 0 || (q.quota_jobs() == 0 && q.quota_bytes() == 0)) return "-";
  std::vector<std::string> limits;
  if (q.quota_jobs()) limits.push_back(absl::StrCat(q.quota_jobs(), " jobs"));
  if (q.quota_bytes()) limits.push_back(HumanBytes(q.quota_bytes()));
  return absl::StrCat(absl::StrJoin(limits, ", "), " per user per ",
                      absl::FormatDuration(absl::Seconds(q.quota_period_seconds())));
}

}  // namespace

int QuotaCommand(const Context& ctx) {
  if (ctx.args.size() != 2 || ctx.args[0] != "show") {
    std::cerr << "usage: spoolctl quota show USER\n";
    return kExitUsage;
  }
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::GetQuotaRequest request;
  request.set_user(ctx.args[1]);
  v1::GetQuotaResponse response;
  auto status = stub->GetQuota(&call, request, &response);
  if (!status.ok()) return ReportError("quota show", FromGrpcStatus(status));
  if (ctx.json) {
    for (const auto& e : response.queues()) std::cout << ToJson(e) << "\n";
    return kExitOk;
  }
  Table table({"QUEUE", "PERIOD", "JOBS", "JOB LIMIT", "BYTES", "BYTE LIMIT"});
  for (const auto& e : response.queues()) {
    table.AddRow({e.queue(), absl::FormatDuration(absl::Seconds(e.period_seconds())),
                  absl::StrCat(e.jobs()), e.limit_jobs() ? absl::StrCat(e.limit_jobs()) : "-",
                  HumanBytes(e.bytes()), e.limit_bytes() ? HumanBytes(e.limit_bytes()) : "-"});
  }
  std::cout << table.Render();
  return kExitOk;
}

int QueuesCommand(const Context& ctx) {
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::ListQueuesResponse response;
  auto status = stub->ListQueues(&call, v1::ListQueuesRequest(), &response);
  if (!status.ok()) return ReportError("queues", FromGrpcStatus(status));
  if (ctx.json) {
    for (const auto& entry : response.queues()) std::cout << ToJson(entry) << "\n";
    return kExitOk;
  }
  Table table({"QUEUE", "ACCEPTING", "PRINTING", "WAITING", "ACTIVE JOBS", "PRINTERS", "MAX JOB",
               "MAX WAITING", "ERROR POLICY", "QUOTA", "DESCRIPTION"});
  for (const auto& entry : response.queues()) {
    const auto& q = entry.queue();
    table.AddRow({q.name(), q.accepting() ? "yes" : "no", q.enabled() ? "enabled" : "disabled",
                  absl::StrCat(entry.pending_jobs()), absl::StrCat(entry.printing_jobs()),
                  absl::StrCat(entry.printers()),
                  q.max_job_bytes() ? HumanBytes(q.max_job_bytes()) : "-",
                  q.max_pending_jobs() ? absl::StrCat(q.max_pending_jobs()) : "-",
                  ErrorPolicyText(q), QuotaText(q), q.description()});
  }
  std::cout << table.Render();
  return kExitOk;
}

int QueueCommand(const Context& ctx) {
  static const char kUsage[] =
      "usage: spoolctl queue add NAME [--description=D] [--max_job_bytes=N] "
      "[--max_pending_jobs=N] [--banners] [--reject] [--disable]\n"
      "       spoolctl queue remove|accept|reject|enable|disable NAME\n"
      "       spoolctl queue set NAME [--description=D] [--max_job_bytes=N] "
      "[--max_pending_jobs=N] [--banners|--nobanners]\n"
      "            [--error_policy=retry-job|retry-current-job|abort-job|stop-printer]\n"
      "            [--retry_limit=N] [--retry_interval=30s]\n"
      "            [--quota_period=24h] [--quota_jobs=N] [--quota_bytes=N] [--duplicate_window=10m]\n";
  if (ctx.args.size() != 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string& verb = ctx.args[0];
  const std::string& name = ctx.args[1];
  auto stub = v1::Admin::NewStub(ctx.channel);
  grpc::ClientContext call;
  SetDeadline(&call);
  v1::Queue queue;
  grpc::Status status;
  if (verb == "add") {
    v1::CreateQueueRequest request;
    auto* q = request.mutable_queue();
    q->set_name(name);
    q->set_accepting(!absl::GetFlag(FLAGS_reject));
    q->set_enabled(!absl::GetFlag(FLAGS_disable));
    q->set_description(absl::GetFlag(FLAGS_description));
    q->set_max_job_bytes(absl::GetFlag(FLAGS_max_job_bytes));
    q->set_max_pending_jobs(absl::GetFlag(FLAGS_max_pending_jobs));
    q->set_banners(absl::GetFlag(FLAGS_banners));
    status = stub->CreateQueue(&call, request, &queue);
  } else if (verb == "remove") {
    v1::DeleteQueueRequest request;
    request.set_name(name);
    v1::DeleteQueueResponse response;
    status = stub->DeleteQueue(&call, request, &response);
    if (status.ok()) {
      if (ctx.json) {
        std::cout << "{\"removed\":\"" << name << "\"}\n";
      } else {
        std::cout << "queue " << name << " removed\n";
      }
      return kExitOk;
    }
  } else {
    v1::UpdateQueueRequest request;
    request.set_name(name);
    if (verb == "accept" || verb == "reject") {
      request.set_accepting(verb == "accept");
    } else if (verb == "enable" || verb == "disable") {
      request.set_enabled(verb == "enable");
    } else if (verb == "set") {
      // Only what was given on the command line changes.
      if (FlagGiven("description")) request.set_description(absl::GetFlag(FLAGS_description));
      if (FlagGiven("max_job_bytes")) request.set_max_job_bytes(absl::GetFlag(FLAGS_max_job_bytes));
      if (FlagGiven("max_pending_jobs")) request.set_max_pending_jobs(absl::GetFlag(FLAGS_max_pending_jobs));
      if (FlagGiven("banners")) request.set_banners(absl::GetFlag(FLAGS_banners));
      if (FlagGiven("error_policy")) {
        auto policy = ParseErrorPolicy(absl::GetFlag(FLAGS_error_policy));
        if (!policy) {
          std::cerr << "spoolctl: --error_policy is retry-job, retry-current-job, abort-job or "
                       "stop-printer\n";
          return kExitUsage;
        }
        request.set_error_policy(*policy);
      }
      if (FlagGiven("retry_limit")) request.set_retry_limit(absl::GetFlag(FLAGS_retry_limit));
      if (FlagGiven("quota_period")) {
        request.set_quota_period_seconds(
            static_cast<uint32_t>(absl::ToInt64Seconds(absl::GetFlag(FLAGS_quota_period))));
      }
      if (FlagGiven("quota_jobs")) request.set_quota_jobs(absl::GetFlag(FLAGS_quota_jobs));
      if (FlagGiven("duplicate_window")) {
        request.set_duplicate_window_seconds(static_cast<uint32_t>(
            absl::ToInt64Seconds(absl::GetFlag(FLAGS_duplicate_window))));
      }
      if (FlagGiven("quota_bytes")) request.set_quota_bytes(absl::GetFlag(FLAGS_quota_bytes));
      if (FlagGiven("retry_interval")) {
        request.set_retry_interval_seconds(
            static_cast<uint32_t>(absl::ToInt64Seconds(absl::GetFlag(FLAGS_retry_interval))));
      }
    } else {
      std::cerr << kUsage;
      return kExitUsage;
    }
    status = stub->UpdateQueue(&call, request, &queue);
  }
  if (!status.ok()) return ReportError(absl::StrCat("queue ", verb, " ", name), FromGrpcStatus(status));
  if (ctx.json) {
    std::cout << ToJson(queue) << "\n";
  } else {
    std::cout << "queue " << queue.name() << ": " << (queue.accepting() ? "accepting" : "rejecting")
              << " jobs, printing " << (queue.enabled() ? "enabled" : "disabled") << "\n";
  }
  return kExitOk;
}

}  // namespace spoolgate::spoolctl
