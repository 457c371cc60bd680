// The FTP session state machine driven by sequences of commands built from
// the fuzzer's bytes: every verb it knows and some it does not, arguments
// that are paths, queue names, PORT/EPRT targets (ours and other hosts'),
// and raw bytes; the driver's side (passive listener opened or not,
// transfers done) also comes from the input. Checks after every step:
// - a reply, when the session gives one, has a 1xx-5xx code, and formatted
//   for the wire it has no NUL and no bare CR or LF (nothing a client sent
//   can split a reply);
// - an upload or listing is only handed to the driver for a logged-in user,
//   with a data connection set up, into an existing queue, under a name
//   without '/', never "." or "..";
// - an active data connection only ever targets the client's own address
//   and an unprivileged port (no FTP bounce);
// - after a close, the driver stops.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/net/cidr.h"
#include "services/ftp-gateway/ftp_command.h"
#include "services/ftp-gateway/ftp_session.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
using spoolgate::fuzz::FuzzInput;
using namespace spoolgate::ftp;  // NOLINT: test-only brevity

const std::vector<std::string> kVerbs = {
    "USER", "PASS", "QUIT", "REIN", "FEAT", "OPTS", "HELP", "AUTH", "PBSZ", "PROT", "CCC",
    "STAT", "PWD",  "XPWD", "CWD",  "XCWD", "CDUP", "XCUP", "TYPE", "MODE", "STRU", "PASV",
    "EPSV", "PORT", "EPRT", "STOR", "STOU", "APPE", "LIST", "NLST", "DELE", "ABOR", "SITE",
    "RETR", "MKD",  "RNFR", "stor", "cwd",  "NOOP", "SYST", ""};
const std::vector<std::string> kArgs = {
    "alice", "secret", "anonymous", "office", "/office", "office/", "/office/report.pdf",
    "Office", "lab/x", "..", "/..", "../office", ".", "/", "", "nosuch", "a/b/c", "x y",
    "127,0,0,1,200,10", "127,0,0,1,0,21", "10,0,0,9,200,10", "|1|127.0.0.1|51234|",
    "|2|::1|51234|", "|1|192.0.2.1|51234|", "|3|x|1|", "ALL", "TLS", "SSL", "0", "P", "C",
    "A", "I", "E", "S", "F", "UTF8 ON", "MLST type;", "report.txt", "/lab/", "office/..",
    "1-report.txt"};

class FakeQueues : public QueueDirectory {
 public:
  explicit FakeQueues(bool available) : available_(available) {}
  absl::StatusOr<std::vector<QueueInfo>> Queues() override {
    if (!available_) return absl::UnavailableError("spooler down");
    return std::vector<QueueInfo>{Office(), Lab()};
  }
  absl::StatusOr<QueueInfo> Find(absl::string_view name) override {
    if (!available_) return absl::UnavailableError("spooler down");
    if (absl::EqualsIgnoreCase(name, "office")) return Office();
    if (absl::EqualsIgnoreCase(name, "lab")) return Lab();
    return absl::NotFoundError("no such queue");
  }
  static bool Exists(const std::string& name) { return name == "office" || name == "lab"; }

 private:
  static QueueInfo Office() { return QueueInfo{"office", "second floor", true, true, 2, 1}; }
  static QueueInfo Lab() { return QueueInfo{"lab", "", false, true, 0, 0}; }
  bool available_;
};

void CheckReply(const Reply& reply) {
  if (reply.code == 0) return;
  if (reply.code < 100 || reply.code > 599) __builtin_trap();
  // Lines may quote what the client sent; on the wire every line ends in
  // CRLF, with no bare CR or LF and no NUL.
  std::string text = FormatReply(reply);
  if (text.find('\0') != std::string::npos) __builtin_trap();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) __builtin_trap();
    if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  FakeQueues queues(/*available=*/in.Range(0, 15) != 0);
  FtpSession::Options options;
  options.authenticate = [](const std::string& user, const std::string& password) {
    return user == "alice" && password == "secret";
  };
  options.tls_available = in.Bool();
  options.tls_required = options.tls_available && in.Bool();
  options.default_queue = in.Bool() ? "office" : "";
  const std::string peer = in.Bool() ? "127.0.0.1" : "::1";
  FtpSession session(options, queues, peer);
  Response greeting = session.Greeting();
  CheckReply(greeting.reply);
  if (greeting.action.kind == Action::Kind::kClose) return 0;

  for (int step = 0; step < 64 && !in.done(); ++step) {
    std::string line = in.Pick(kVerbs);
    switch (in.Range(0, 3)) {
      case 0:
        break;
      case 1:
        line += " " + in.Bytes(20);
        break;
      default:
        line += " " + in.Pick(kArgs);
    }
    auto command = ParseFtpCommand(line);
    if (!command.ok()) continue;
    bool logged_in_before = session.logged_in();
    Response response = session.Handle(*command);
    CheckReply(response.reply);
    const Action& action = response.action;
    if (action.kind == Action::Kind::kStore || action.kind == Action::Kind::kList ||
        action.kind == Action::Kind::kDelete) {
      if (!logged_in_before) __builtin_trap();
    }
    if (action.kind == Action::Kind::kStore) {
      if (session.data_mode() == FtpSession::DataMode::kNone) __builtin_trap();
      if (!FakeQueues::Exists(action.queue)) __builtin_trap();
      if (action.name.empty() || action.name.find('/') != std::string::npos ||
          action.name == "." || action.name == "..") {
        __builtin_trap();
      }
    }
    if (action.kind == Action::Kind::kList && !action.queue.empty() &&
        !FakeQueues::Exists(action.queue)) {
      __builtin_trap();
    }
    if (session.data_mode() == FtpSession::DataMode::kActive) {
      const HostPort& target = session.active_target();
      if (target.port < 1024 || target.port > 65535) __builtin_trap();
      auto to = spoolgate::net::ParseCidr(target.ip);
      auto own = spoolgate::net::ParseCidr(peer);
      if (!to.ok() || to->address != own->address) __builtin_trap();
    }
    // The driver's side of the step.
    switch (action.kind) {
      case Action::Kind::kClose:
        return 0;
      case Action::Kind::kPassive:
        session.PassiveOpened(in.Range(0, 7) != 0);
        break;
      case Action::Kind::kStore:
      case Action::Kind::kList:
        session.TransferDone();
        break;
      default:
        break;
    }
  }
  return 0;
}
