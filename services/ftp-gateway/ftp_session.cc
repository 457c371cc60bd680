#include "services/ftp-gateway/ftp_session.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/ftp-gateway/ftp_reply.h"

namespace spoolgate::ftp {
namespace {

bool NeedsLogin(const std::string& verb) {
  static const char* kFree[] = {"USER", "PASS", "QUIT", "FEAT", "SYST", "NOOP", "HELP",
                                "AUTH", "OPTS", "CLNT", "PBSZ", "PROT", "STAT"};
  for (const char* v : kFree) {
    if (verb == v) return false;
  }
  return true;
}

std::string Quote(const std::string& path) {
  std::string out;
  for (char c : path) {
    out.push_back(c);
    if (c == '"') out.push_back('"');  // RFC 959 appendix II
  }
  return out;
}

// Replies that depend on nothing but the command.
const std::map<std::string, Reply>& FixedReplies() {
  static const auto* replies = new std::map<std::string, Reply>{
      {"NOOP", {200, {"NOOP ok"}}},
      {"SYST", {215, {"UNIX Type: L8"}}},
      {"CLNT", {200, {"Noted"}}},
      {"ACCT", {202, {"No account needed"}}},
      {"ALLO", {202, {"No storage allocation needed"}}},
      {"RETR", {550, {"This is a print server: files can be put, not fetched"}}},
      {"SIZE", {550, {"No such file"}}},
      {"MDTM", {550, {"No such file"}}},
      {"MLST", {550, {"No such file"}}},
      {"MLSD", {502, {"Use LIST"}}},
      {"MFMT", {550, {"Modification times are not kept"}}},
      {"MFCT", {550, {"Modification times are not kept"}}},
      {"MFF", {550, {"Modification times are not kept"}}},
      {"RNFR", {502, {"Rename not supported"}}},
      {"RNTO", {502, {"Rename not supported"}}},
      {"MKD", {550, {"Queues are created by the administrator"}}},
      {"XMKD", {550, {"Queues are created by the administrator"}}},
      {"RMD", {550, {"Queues are created by the administrator"}}},
      {"XRMD", {550, {"Queues are created by the administrator"}}},
      {"SITE", {502, {"No SITE commands"}}},
      {"REST", {502, {"Restart not supported"}}},
      {"SMNT", {502, {"Not supported"}}},
  };
  return *replies;
}

}  // namespace

FtpSession::FtpSession(Options options, QueueDirectory& directory, std::string peer_ip)
    : options_(std::move(options)), directory_(directory), peer_ip_(std::move(peer_ip)) {}

const std::map<std::string, FtpSession::Handler>& FtpSession::Handlers() {
  static const auto* handlers = new std::map<std::string, Handler>{
      {"USER", &FtpSession::User}, {"PASS", &FtpSession::Pass}, {"QUIT", &FtpSession::Quit},
      {"REIN", &FtpSession::Rein}, {"FEAT", &FtpSession::Feat}, {"OPTS", &FtpSession::Opts},
      {"HELP", &FtpSession::Help}, {"AUTH", &FtpSession::Auth}, {"PBSZ", &FtpSession::Pbsz},
      {"PROT", &FtpSession::Prot}, {"CCC", &FtpSession::Ccc},   {"STAT", &FtpSession::Stat},
      {"PWD", &FtpSession::Pwd},   {"XPWD", &FtpSession::Pwd},  {"CWD", &FtpSession::Cwd},
      {"XCWD", &FtpSession::Cwd},  {"CDUP", &FtpSession::Cdup}, {"XCUP", &FtpSession::Cdup},
      {"TYPE", &FtpSession::Type}, {"MODE", &FtpSession::Mode}, {"STRU", &FtpSession::Stru},
      {"PASV", &FtpSession::Pasv}, {"EPSV", &FtpSession::Epsv}, {"PORT", &FtpSession::Port},
      {"EPRT", &FtpSession::Port}, {"STOR", &FtpSession::Stor}, {"STOU", &FtpSession::Stor},
      {"APPE", &FtpSession::Stor}, {"LIST", &FtpSession::List}, {"NLST", &FtpSession::List},
      {"DELE", &FtpSession::Dele}, {"ABOR", &FtpSession::Abor},
  };
  return *handlers;
}

Response FtpSession::Greeting() {
  auto queues = directory_.Queues();
  if (!queues.ok() && SpoolerUnreachable(queues.status())) {
    return {Reply{421, {absl::StrCat("Service not available, the print spooler cannot be reached (",
                                     queues.status().message(), "); try again shortly")}},
            Action::Of(Action::Kind::kClose)};
  }
  return {Reply{220, {absl::StrCat(options_.server_name, " FTP print server ready")}}, {}};
}

Response FtpSession::Simple(int code, std::string text) {
  return Response{Reply{code, {std::move(text)}}, {}};
}

Response FtpSession::Handle(const FtpCommand& c) {
  const std::string& v = c.verb;
  if (state_ != State::kLoggedIn && NeedsLogin(v)) return Simple(530, "Please login with USER and PASS");
  if (epsv_all_ && (v == "PORT" || v == "PASV" || v == "EPRT")) {
    return Simple(501, "Not allowed after EPSV ALL");
  }
  if (auto it = Handlers().find(v); it != Handlers().end()) return (this->*(it->second))(c);
  if (auto it = FixedReplies().find(v); it != FixedReplies().end()) return {it->second, {}};
  return Simple(500, absl::StrCat("Unknown command ", v));
}

std::variant<QueueInfo, Response> FtpSession::LookupQueue(absl::string_view path) {
  absl::string_view name = absl::StripAsciiWhitespace(path);
  absl::ConsumePrefix(&name, "/");
  absl::ConsumeSuffix(&name, "/");
  auto q = directory_.Find(name);
  if (!q.ok()) return Response{FtpReplyFor(q.status(), FtpStep::kLookup), {}};
  return *q;
}

// Jetdirect: at / a bare name is a queue if one is called so (put FILE
// QUEUE), else a file for the default queue (put FILE).
std::variant<FtpSession::Upload, Response> FtpSession::ResolveUpload(const std::string& path) {
  absl::string_view p = absl::StripAsciiWhitespace(path);
  bool absolute = absl::ConsumePrefix(&p, "/");
  std::vector<std::string> parts = absl::StrSplit(p, '/', absl::SkipEmpty());
  if (parts.empty()) return Simple(553, "Give a file name");
  if (parts.size() > 2) return Simple(553, "Queues hold files, not directories");
  for (const auto& part : parts) {
    if (part == "." || part == "..") return Simple(553, "No such queue");
  }
  if (parts.size() == 1 && !absolute && !cwd_.empty()) return Upload{cwd_, parts[0]};
  if (parts.size() == 2) {
    auto q = directory_.Find(parts[0]);
    if (q.status().code() == absl::StatusCode::kNotFound) {
      return Simple(553, absl::StrCat("No such queue: ", parts[0]));  // a file name not allowed
    }
    if (!q.ok()) return Response{FtpReplyFor(q.status(), FtpStep::kLookup), {}};
    return Upload{q->name, parts[1]};
  }
  auto named = directory_.Find(parts[0]);
  if (named.ok()) return Upload{named->name, parts[0]};
  if (named.status().code() != absl::StatusCode::kNotFound) {
    return Response{FtpReplyFor(named.status(), FtpStep::kLookup), {}};
  }
  std::string fallback = options_.default_queue;
  if (fallback.empty()) {
    auto queues = directory_.Queues();
    if (!queues.ok()) return Response{FtpReplyFor(queues.status(), FtpStep::kLookup), {}};
    if (queues->empty()) return Simple(553, "No queues are set up on this server");
    fallback = queues->front().name;
  }
  auto q = LookupQueue(fallback);
  if (auto* reply = std::get_if<Response>(&q)) return *reply;
  return Upload{std::get<QueueInfo>(q).name, parts[0]};
}

Response FtpSession::User(const FtpCommand& c) {
  if (c.arg.empty()) return Simple(501, "USER needs a name");
  if (options_.tls_required && !tls_active_) {
    return Simple(530, "This server requires TLS: send AUTH TLS before USER");
  }
  user_ = c.arg;
  state_ = State::kAwaitPass;
  return Simple(331, absl::StrCat("Password required for ", user_));
}

Response FtpSession::Pass(const FtpCommand& c) {
  if (state_ != State::kAwaitPass) return Simple(503, "Login with USER first");
  if (options_.authenticate && !options_.authenticate(user_, c.arg)) {
    state_ = State::kAwaitUser;
    return Simple(530, "Login incorrect");
  }
  state_ = State::kLoggedIn;
  Reply welcome{230, {absl::StrCat("Welcome to ", options_.server_name, ", ", user_, ".")}};
  auto queues = directory_.Queues();
  if (queues.ok()) {
    welcome.lines.push_back("Queues (directories) you can print to:");
    for (const auto& q : *queues) {
      welcome.lines.push_back(absl::StrCat("  ", q.name, q.description.empty() ? "" : " - ",
                                           q.description, q.accepting ? "" : " (not accepting jobs)"));
    }
  } else {
    welcome.lines.push_back("The queue list is unavailable just now; try LIST in a moment.");
  }
  welcome.lines.push_back("To print: put FILE (default queue), or cd QUEUE and put FILE.");
  welcome.lines.push_back("User logged in.");
  return {welcome, {}};
}

Response FtpSession::Quit(const FtpCommand&) {
  return {Reply{221, {"Goodbye."}}, Action::Of(Action::Kind::kClose)};
}

Response FtpSession::Rein(const FtpCommand&) {
  state_ = State::kAwaitUser;
  user_.clear();
  cwd_.clear();
  ascii_ = true;
  data_mode_ = DataMode::kNone;
  return Simple(220, "Ready for a new user");
}

Response FtpSession::Feat(const FtpCommand&) {
  Reply reply{211, {"Features:"}};
  if (options_.tls_available) {
    for (const char* feature : {"AUTH TLS", "PBSZ", "PROT"}) reply.lines.push_back(feature);
  }
  for (const char* feature : {"EPRT", "EPSV", "PASV", "UTF8", "End"}) reply.lines.push_back(feature);
  return {reply, {}};
}

Response FtpSession::Opts(const FtpCommand& c) {
  std::string opt = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(c.arg));
  // Names are kept as the bytes sent either way; UTF8 ON only says so.
  if (opt == "UTF8" || opt == "UTF8 ON" || opt == "UTF-8 ON") return Simple(200, "UTF8 set to on");
  if (opt == "UTF8 OFF") return Simple(200, "UTF8 off: names are kept as the bytes sent");
  return Simple(501, "Option not supported");
}

Response FtpSession::Help(const FtpCommand& c) {
  if (!c.arg.empty()) return Simple(214, absl::StrCat("No help for ", c.arg));
  return {Reply{214,
                {"Commands recognised:",
                 "USER PASS QUIT REIN NOOP SYST FEAT OPTS HELP STAT PWD XPWD CWD XCWD CDUP XCUP",
                 "TYPE MODE STRU PASV EPSV PORT EPRT STOR STOU APPE LIST NLST DELE ABOR ALLO",
                 "Help OK."}},
          {}};
}

// RFC 4217.
Response FtpSession::Auth(const FtpCommand& c) {
  if (!options_.tls_available) return Simple(502, "TLS is not offered on this port");
  if (tls_active_) return Simple(503, "TLS is already on");
  std::string mechanism = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(c.arg));
  if (mechanism != "TLS" && mechanism != "TLS-C" && mechanism != "SSL") {
    return Simple(504, "Only AUTH TLS is supported");
  }
  // A new security context starts a new session: log in again (RFC 4217 4).
  tls_active_ = true;
  state_ = State::kAwaitUser;
  user_.clear();
  return {Reply{234, {"AUTH TLS successful, starting the TLS handshake"}},
          Action::Of(Action::Kind::kStartTls)};
}

Response FtpSession::Pbsz(const FtpCommand&) {
  if (!tls_active_) return Simple(503, "Use AUTH TLS first");
  pbsz_ = true;
  return Simple(200, "PBSZ=0");  // stream mode over TLS needs no buffer size
}

Response FtpSession::Prot(const FtpCommand& c) {
  if (!tls_active_ || !pbsz_) return Simple(503, "Use AUTH TLS and PBSZ 0 first");
  std::string level = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(c.arg));
  if (level == "P") {
    prot_private_ = true;
    return Simple(200, "Data connections are protected by TLS");
  }
  if (level == "C") {
    if (options_.tls_required) return Simple(534, "This server requires protected data connections");
    prot_private_ = false;
    return Simple(200, "Data connections are in clear");
  }
  if (level == "S" || level == "E") return Simple(536, "Only PROT P and PROT C are supported");
  return Simple(504, "Unknown protection level");
}

Response FtpSession::Ccc(const FtpCommand&) {
  return Simple(tls_active_ ? 533 : 502, "The control connection stays protected");
}

std::optional<Response> FtpSession::RefuseClearData() {
  if (options_.tls_required && !prot_private_) {
    return Simple(521, "Data connections must be protected: send PBSZ 0 and PROT P");
  }
  return std::nullopt;
}

Response FtpSession::Stat(const FtpCommand& c) {
  if (c.arg.empty()) {
    return {Reply{211, {"Spoolgate FTP print server status:",
                        absl::StrCat("Connected from ", peer_ip_),
                        state_ == State::kLoggedIn ? absl::StrCat("Logged in as ", user_) : "Not logged in",
                        absl::StrCat("TYPE: ", ascii_ ? "ASCII" : "BINARY", "; current queue: ",
                                     cwd_.empty() ? "(none)" : cwd_),
                        "End of status"}},
            {}};
  }
  auto found = LookupQueue(c.arg);
  if (auto* reply = std::get_if<Response>(&found)) return *reply;
  const QueueInfo& q = std::get<QueueInfo>(found);
  return {Reply{213, {absl::StrCat("Status of ", q.name, ":"),
                      absl::StrCat("printers: ", q.printers, ", ", q.printer_status),
                      absl::StrCat("jobs waiting: ", q.waiting),
                      absl::StrCat(q.accepting ? "accepting jobs" : "not accepting jobs", ", ",
                                   q.enabled ? "printing enabled" : "printing disabled"),
                      "End of status"}},
          {}};
}

Response FtpSession::Pwd(const FtpCommand&) {
  return Simple(257, absl::StrCat("\"", Quote(cwd_.empty() ? "/" : "/" + cwd_),
                                  "\" is the current directory"));
}

Response FtpSession::Cwd(const FtpCommand& c) {
  absl::string_view target = absl::StripAsciiWhitespace(c.arg);
  if (target.empty() || target == "/" || (target == ".." && !cwd_.empty())) {
    cwd_.clear();
    return Simple(250, "Directory changed to /");
  }
  if (target == ".") return Simple(250, "Directory unchanged");
  if (!absl::StartsWith(target, "/") && !cwd_.empty()) {
    return Simple(550, "Queues have no subdirectories");
  }
  auto found = LookupQueue(target);
  if (auto* reply = std::get_if<Response>(&found)) return *reply;
  cwd_ = std::get<QueueInfo>(found).name;
  return Simple(250, absl::StrCat("Directory changed to /", cwd_));
}

Response FtpSession::Cdup(const FtpCommand&) {
  cwd_.clear();
  return Simple(250, "Directory changed to /");
}

Response FtpSession::Type(const FtpCommand& c) {
  std::string t = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(c.arg));
  if (t == "A" || t == "A N") {
    ascii_ = true;
    return Simple(200, "Type set to A (bytes are printed as they arrive)");
  }
  if (t == "I" || t == "L 8") {
    ascii_ = false;
    return Simple(200, "Type set to I");
  }
  return Simple(504, "Type not supported; use A or I");
}

Response FtpSession::Mode(const FtpCommand& c) {
  if (absl::AsciiStrToUpper(c.arg) == "S") return Simple(200, "Mode set to S");
  return Simple(504, "Only stream mode (S) is supported");
}

Response FtpSession::Stru(const FtpCommand& c) {
  if (absl::AsciiStrToUpper(c.arg) == "F") return Simple(200, "Structure set to F");
  return Simple(504, "Only file structure (F) is supported");
}

Response FtpSession::Pasv(const FtpCommand&) { return {Reply{}, Action::Of(Action::Kind::kPassive)}; }

Response FtpSession::Epsv(const FtpCommand& c) {
  std::string a = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(c.arg));
  if (a == "ALL") {
    epsv_all_ = true;
    return Simple(200, "EPSV ALL ok");
  }
  if (!a.empty() && a != "1" && a != "2") return Simple(522, "Network protocol not supported, use (1,2)");
  return {Reply{}, Action::Of(Action::Kind::kPassive, true)};
}

Response FtpSession::Port(const FtpCommand& c) {
  auto target = c.verb == "PORT" ? ParsePortArgument(c.arg) : ParseEprtArgument(c.arg);
  if (!target.ok()) {
    if (target.status().code() == absl::StatusCode::kUnimplemented) {
      return Simple(522, "Network protocol not supported, use (1,2)");
    }
    return Simple(501, std::string(target.status().message()));
  }
  // No FTP bounce: data connections only to the client itself.
  if (!SameAddress(target->ip, peer_ip_)) {
    return Simple(500, "Data connections go only to the address of the control connection");
  }
  if (target->port < 1024) return Simple(500, "Refusing a privileged data port");
  active_ = *target;
  data_mode_ = DataMode::kActive;
  return Simple(200, absl::StrCat(c.verb, " command successful"));
}

Response FtpSession::Stor(const FtpCommand& c) {
  std::string path = c.arg;
  if (c.verb == "STOU" && path.empty()) path = "upload";
  auto resolved = ResolveUpload(path);
  if (auto* reply = std::get_if<Response>(&resolved)) return *reply;
  const Upload& upload = std::get<Upload>(resolved);
  auto q = directory_.Find(upload.queue);
  if (q.ok() && !q->accepting) return Simple(550, absl::StrCat("Queue ", q->name, " is not accepting jobs"));
  if (auto refused = RefuseClearData()) return *refused;
  if (data_mode_ == DataMode::kNone) return Simple(425, "Use PORT, EPRT, PASV or EPSV first");
  Action action = Action::Of(Action::Kind::kStore);
  action.queue = upload.queue;
  action.name = upload.name;
  action.append = c.verb == "APPE";
  return {Reply{}, action};
}

Response FtpSession::List(const FtpCommand& c) {
  std::string target(absl::StripAsciiWhitespace(c.arg));
  while (absl::StartsWith(target, "-")) {  // "LIST -la": ls options, ignored
    auto space = target.find(' ');
    target = space == std::string::npos ? "" : target.substr(space + 1);
  }
  std::string queue = cwd_;
  absl::string_view t = target;
  if (absl::ConsumePrefix(&t, "/")) queue.clear();
  absl::ConsumeSuffix(&t, "/");
  if (!t.empty() && t != ".") {
    auto found = LookupQueue(t);
    if (auto* reply = std::get_if<Response>(&found)) return *reply;
    queue = std::get<QueueInfo>(found).name;
  }
  if (auto refused = RefuseClearData()) return *refused;
  if (data_mode_ == DataMode::kNone) return Simple(425, "Use PORT, EPRT, PASV or EPSV first");
  Action action = Action::Of(Action::Kind::kList);
  action.queue = queue;
  action.names_only = c.verb == "NLST";
  return {Reply{}, action};
}

// Not on a Jetdirect: users asked to take back a job sent by mistake.
Response FtpSession::Dele(const FtpCommand& c) {
  absl::string_view path = absl::StripAsciiWhitespace(c.arg);
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (parts.empty() || parts.size() > 2) return Simple(501, "DELE needs a job name from LIST");
  std::string queue = cwd_;
  if (parts.size() == 2) {
    auto found = LookupQueue(parts[0]);
    if (auto* reply = std::get_if<Response>(&found)) return *reply;
    queue = std::get<QueueInfo>(found).name;
  }
  if (queue.empty()) return Simple(550, "cd to a queue first; jobs live in queues");
  Action action = Action::Of(Action::Kind::kDelete);
  action.queue = queue;
  action.name = parts.back();
  return {Reply{}, action};
}

Response FtpSession::Abor(const FtpCommand&) {
  return {Reply{225, {"No transfer to abort"}}, Action::Of(Action::Kind::kAbort)};
}

}  // namespace spoolgate::ftp
