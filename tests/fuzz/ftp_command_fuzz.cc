// The FTP command parser, then the session machine on what it accepted.
#include <cstdint>

#include "absl/strings/match.h"
#include "services/ftp-gateway/ftp_command.h"
#include "services/ftp-gateway/ftp_session.h"

namespace {
class OneQueue : public spoolgate::ftp::QueueDirectory {
 public:
  absl::StatusOr<std::vector<spoolgate::ftp::QueueInfo>> Queues() override {
    return std::vector<spoolgate::ftp::QueueInfo>{{"office"}};
  }
  absl::StatusOr<spoolgate::ftp::QueueInfo> Find(absl::string_view name) override {
    if (absl::EqualsIgnoreCase(name, "office")) return spoolgate::ftp::QueueInfo{"office"};
    return absl::NotFoundError("no such queue");
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  OneQueue queues;
  spoolgate::ftp::FtpSession session({}, queues, "127.0.0.1");
  session.Handle({"USER", "fuzz"});
  session.Handle({"PASS", "fuzz"});
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == absl::string_view::npos) end = input.size();
    auto command = spoolgate::ftp::ParseFtpCommand(input.substr(start, end - start));
    if (command.ok()) {
      auto response = session.Handle(*command);
      if ((response.action.kind == spoolgate::ftp::Action::Kind::kStore ||
           response.action.kind == spoolgate::ftp::Action::Kind::kDelete) &&
          response.action.queue != "office") {
        __builtin_trap();  // uploads only ever go to an existing queue
      }
      if (session.data_mode() == spoolgate::ftp::FtpSession::DataMode::kActive &&
          !spoolgate::ftp::SameAddress(session.active_target().ip, "127.0.0.1")) {
        __builtin_trap();  // never a data connection to another host
      }
    }
    start = end + 1;
  }
  return 0;
}
