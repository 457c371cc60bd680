// absl::Status <-> grpc::Status. The numeric codes are identical by design.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace spoolgate {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace spoolgate
