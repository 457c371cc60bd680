// absl::Status -> FTP reply: the one table of the FTP edge. Whatever is
// temporary (spooler down or slow, queue or disk full) gets a 4xx, so that
// clients and people try again; only what will not change by retrying gets
// a 5xx. Pure.
#pragma once

#include "absl/status/status.h"
#include "services/ftp-gateway/ftp_command.h"

namespace spoolgate::ftp {

// What the failed call was for: it decides between 450 (a lookup, the
// command did nothing) and 451 (an upload was aborted).
enum class FtpStep { kLookup, kUpload };

// Never called with OK.
Reply FtpReplyFor(const absl::Status& status, FtpStep step);

// True when `status` says the spooler could not be asked (down, slow or
// restarting), as opposed to an answer from it.
bool SpoolerUnreachable(const absl::Status& status);

}  // namespace spoolgate::ftp
