#include "services/ftp-gateway/ftp_session.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

}  // namespace

FtpSession::FtpSession(Options options, QueueDirectory& directory, std::string peer_ip)
    : options_(std::move(options)), directory_(directory), peer_ip_(std::move(peer_ip)) {}

Reply FtpSession::Greeting() const {
  return {220, {absl::StrCat(options_.server_name, " FTP print server ready")}};
}

Response FtpSession::Simple(int code, std::string text) {
  return Response{Reply{code, {std::move(text)}}, {}};
}

std::optional<QueueInfo> FtpSession::FindQueue(const std::string& name) {
  for (auto& q : directory_.Queues()) {
    if (q.name == name) return q;
  }
  return std::nullopt;
}

bool FtpSession::ResolveUpload(const std::string& path, std::string* queue, std::string* name,
                               std::string* error) {
  absl::string_view p = absl::StripAsciiWhitespace(path);
  if (p.empty()) {
    *error = "Give a file name";
    return false;
  }
  bool absolute = absl::ConsumePrefix(&p, "/");
  std::vector<std::string> parts = absl::StrSplit(p, '/', absl::SkipEmpty());
  if (parts.empty()) {
    *error = "Give a file name";
    return false;
  }
  if (parts.size() == 1 && !absolute && !cwd_.empty()) {
    *queue = cwd_;  // STOR name, in a queue
    *name = parts[0];
  } else if (parts.size() == 1) {
    *queue = parts[0];  // STOR queue (Jetdirect: put FILE QUEUE)
    *name = parts[0];
  } else if (parts.size() == 2) {
    *queue = parts[0];  // STOR queue/name or /queue/name
    *name = parts[1];
  } else {
    *error = "Queues hold files, not directories";
    return false;
  }
  if (*queue == ".." || *name == "..") {
    *error = "No such queue";
    return false;
  }
  if (!FindQueue(*queue)) {
    *error = cwd_.empty() && parts.size() == 1 && !absolute
                 ? absl::StrCat("No queue named ", *queue, "; cd to a queue first (LIST shows them)")
                 : absl::StrCat("No such queue: ", *queue);
    return false;
  }
  return true;
}

Response FtpSession::Handle(const FtpCommand& c) {
  const std::string& v = c.verb;
  if (state_ != State::kLoggedIn && NeedsLogin(v)) return Simple(530, "Please login with USER and PASS");
  if (epsv_all_ && (v == "PORT" || v == "PASV" || v == "EPRT")) {
    return Simple(501, "Not allowed after EPSV ALL");
  }

  if (v == "USER") {
    if (c.arg.empty()) return Simple(501, "USER needs a name");
    user_ = c.arg;
    state_ = State::kAwaitPass;
    return Simple(331, absl::StrCat("Password required for ", user_));
  }
  if (v == "PASS") {
    if (state_ != State::kAwaitPass) return Simple(503, "Login with USER first");
    if (options_.authenticate && !options_.authenticate(user_, c.arg)) {
      state_ = State::kAwaitUser;
      return Simple(530, "Login incorrect");
    }
    state_ = State::kLoggedIn;
    Reply welcome{230, {absl::StrCat("Welcome to ", options_.server_name, ", ", user_, ".")}};
    welcome.lines.push_back("Queues (directories) you can print to:");
    for (const auto& q : directory_.Queues()) {
      welcome.lines.push_back(absl::StrCat("  ", q.name, q.description.empty() ? "" : " - ",
                                           q.description, q.accepting ? "" : " (not accepting jobs)"));
    }
    welcome.lines.push_back("To print: cd QUEUE, then put FILE (or put FILE QUEUE/FILE).");
    welcome.lines.push_back("User logged in.");
    return {welcome, {}};
  }
  if (v == "QUIT") return {Reply{221, {"Goodbye."}}, Action::Of(Action::Kind::kClose)};
  if (v == "REIN") {
    state_ = State::kAwaitUser;
    user_.clear();
    cwd_.clear();
    ascii_ = true;
    data_mode_ = DataMode::kNone;
    return Simple(220, "Ready for a new user");
  }
  if (v == "NOOP") return Simple(200, "NOOP ok");
  if (v == "SYST") return Simple(215, "UNIX Type: L8");
  if (v == "FEAT") {
    return {Reply{211, {"Features:", "EPRT", "EPSV", "PASV", "UTF8", "End"}}, {}};
  }
  if (v == "OPTS") {
    std::string opt = absl::AsciiStrToUpper(c.arg);
    if (absl::StartsWith(opt, "UTF8")) return Simple(200, "UTF8 always on");
    return Simple(501, "Option not supported");
  }
  if (v == "HELP") {
    if (!c.arg.empty()) return Simple(214, absl::StrCat("No help for ", c.arg));
    return {Reply{214,
                  {"Commands recognised:",
                   "USER PASS QUIT REIN NOOP SYST FEAT OPTS HELP STAT PWD XPWD CWD XCWD CDUP XCUP",
                   "TYPE MODE STRU PASV EPSV PORT EPRT STOR STOU APPE LIST NLST ABOR ALLO",
                   "Help OK."}},
            {}};
  }
  if (v == "AUTH" || v == "PBSZ" || v == "PROT" || v == "CCC") {
    return Simple(502, "TLS is not offered on this port");
  }
  if (v == "CLNT") return Simple(200, "Noted");
  if (v == "ACCT") return Simple(202, "No account needed");
  if (v == "ALLO") return Simple(202, "No storage allocation needed");
  if (v == "STAT") {
    if (c.arg.empty()) {
      return {Reply{211, {"Spoolgate FTP print server status:",
                          absl::StrCat("Connected from ", peer_ip_),
                          state_ == State::kLoggedIn ? absl::StrCat("Logged in as ", user_) : "Not logged in",
                          absl::StrCat("TYPE: ", ascii_ ? "ASCII" : "BINARY", "; current queue: ",
                                       cwd_.empty() ? "(none)" : cwd_),
                          "End of status"}},
              {}};
    }
    std::string name(absl::StripPrefix(absl::StripAsciiWhitespace(c.arg), "/"));
    auto q = FindQueue(name);
    if (!q) return Simple(550, absl::StrCat("No such queue: ", name));
    return {Reply{213, {absl::StrCat("Status of ", q->name, ":"),
                        absl::StrCat("printers: ", q->printers, ", ", q->printer_status),
                        absl::StrCat("jobs waiting: ", q->waiting),
                        absl::StrCat(q->accepting ? "accepting jobs" : "not accepting jobs", ", ",
                                     q->enabled ? "printing enabled" : "printing disabled"),
                        "End of status"}},
            {}};
  }
  if (v == "PWD" || v == "XPWD") {
    return Simple(257, absl::StrCat("\"", Quote(cwd_.empty() ? "/" : "/" + cwd_),
                                    "\" is the current directory"));
  }
  if (v == "CWD" || v == "XCWD") {
    absl::string_view target = absl::StripAsciiWhitespace(c.arg);
    if (target.empty() || target == "/" || (target == ".." && !cwd_.empty())) {
      cwd_.clear();
      return Simple(250, "Directory changed to /");
    }
    if (target == "." ) return Simple(250, "Directory unchanged");
    absl::string_view name = target;
    absl::ConsumePrefix(&name, "/");
    absl::ConsumeSuffix(&name, "/");
    if (!absl::StartsWith(target, "/") && !cwd_.empty()) {
      return Simple(550, "Queues have no subdirectories");
    }
    auto q = FindQueue(std::string(name));
    if (!q) return Simple(550, absl::StrCat("No such queue: ", name));
    cwd_ = q->name;
    return Simple(250, absl::StrCat("Directory changed to /", cwd_));
  }
  if (v == "CDUP" || v == "XCUP") {
    cwd_.clear();
    return Simple(250, "Directory changed to /");
  }
  if (v == "TYPE") {
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
  if (v == "MODE") {
    if (absl::AsciiStrToUpper(c.arg) == "S") return Simple(200, "Mode set to S");
    return Simple(504, "Only stream mode (S) is supported");
  }
  if (v == "STRU") {
    if (absl::AsciiStrToUpper(c.arg) == "F") return Simple(200, "Structure set to F");
    return Simple(504, "Only file structure (F) is supported");
  }
  if (v == "PASV") return {Reply{}, Action::Of(Action::Kind::kPassive)};
  if (v == "EPSV") {
    std::string a = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(c.arg));
    if (a == "ALL") {
      epsv_all_ = true;
      return Simple(200, "EPSV ALL ok");
    }
    if (!a.empty() && a != "1" && a != "2") return Simple(522, "Network protocol not supported, use (1,2)");
    return {Reply{}, Action::Of(Action::Kind::kPassive, true)};
  }
  if (v == "PORT" || v == "EPRT") {
    auto target = v == "PORT" ? ParsePortArgument(c.arg) : ParseEprtArgument(c.arg);
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
    return Simple(200, absl::StrCat(v, " command successful"));
  }
  if (v == "STOR" || v == "STOU" || v == "APPE") {
    std::string queue, name, error;
    std::string path = c.arg;
    if (v == "STOU" && path.empty()) path = "upload";
    if (!ResolveUpload(path, &queue, &name, &error)) return Simple(553, error);
    auto q = FindQueue(queue);
    if (q && !q->accepting) return Simple(550, absl::StrCat("Queue ", queue, " is not accepting jobs"));
    if (data_mode_ == DataMode::kNone) return Simple(425, "Use PORT, EPRT, PASV or EPSV first");
    Action action = Action::Of(Action::Kind::kStore);
    action.queue = queue;
    action.name = name;
    action.append = v == "APPE";
    return {Reply{}, action};
  }
  if (v == "LIST" || v == "NLST") {
    std::string target(absl::StripAsciiWhitespace(c.arg));
    while (absl::StartsWith(target, "-")) {  // "LIST -la": ls options, ignored
      auto space = target.find(' ');
      target = space == std::string::npos ? "" : target.substr(space + 1);
    }
    std::string queue = cwd_;
    if (!target.empty()) {
      absl::string_view t = target;
      if (absl::ConsumePrefix(&t, "/")) queue.clear();
      absl::ConsumeSuffix(&t, "/");
      if (!t.empty() && t != ".") {
        if (!FindQueue(std::string(t))) return Simple(550, absl::StrCat("No such queue: ", t));
        queue = std::string(t);
      }
    }
    if (data_mode_ == DataMode::kNone) return Simple(425, "Use PORT, EPRT, PASV or EPSV first");
    Action action = Action::Of(Action::Kind::kList);
    action.queue = queue;
    action.names_only = v == "NLST";
    return {Reply{}, action};
  }
  if (v == "ABOR") return {Reply{225, {"No transfer to abort"}}, Action::Of(Action::Kind::kAbort)};
  if (v == "RETR") return Simple(550, "This is a print server: files can be put, not fetched");
  if (v == "SIZE" || v == "MDTM" || v == "MLST") return Simple(550, "No such file");
  if (v == "MLSD") return Simple(502, "Use LIST");
  if (v == "MFMT" || v == "MFCT" || v == "MFF") return Simple(550, "Modification times are not kept");
  if (v == "DELE") return Simple(550, "Jobs are removed with lprm or spoolctl cancel");
  if (v == "RNFR" || v == "RNTO") return Simple(502, "Rename not supported");
  if (v == "MKD" || v == "XMKD" || v == "RMD" || v == "XRMD") {
    return Simple(550, "Queues are created by the administrator");
  }
  if (v == "SITE") return Simple(502, "No SITE commands");
  if (v == "REST") return Simple(502, "Restart not supported");
  if (v == "SMNT") return Simple(502, "Not supported");
  return Simple(500, absl::StrCat("Unknown command ", v));
}

}  // namespace spoolgate::ftp
