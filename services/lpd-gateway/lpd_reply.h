// absl::Status -> LPD ack octet, the one table of the LPD edge. LPRng's
// codes: 0 accepted, 1 queue not accepting, 2 temporarily full or
// unavailable (retry later), 3 bad job format (do not retry).
#pragma once

#include <cstdint>

#include "absl/status/status.h"

namespace spoolgate::lpd {

inline constexpr char kAckOk = '\0';

char AckFor(const absl::Status& status);

}  // namespace spoolgate::lpd
