#include "tools/spoolctl/client.h"

#include <chrono>
#include <iostream>

#include <google/protobuf/util/json_util.h>

#include "lib/grpc/tls.h"
#include "lib/text/display_json.h"

namespace spoolgate::spoolctl {

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  AddCallToken(context);
}

int ReportError(const std::string& what, const absl::Status& status) {
  std::cerr << "spoolctl: " << what << ": " << status.message() << "\n";
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitFailed;
    default:
      return kExitFailed;
  }
}

std::string ToJson(const google::protobuf::Message& message) { return text::DisplayJson(message); }

}  // namespace spoolgate::spoolctl
