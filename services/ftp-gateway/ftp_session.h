// One FTP control connection as a state machine: a command in, a reply and
// an action for the driver out (RFC 959 with RFC 2428 and RFC 2389, and HP
// Jetdirect printing semantics: directories are queues, uploads are jobs).
// Pure: queue facts come from a QueueDirectory, passwords from a callback.
//
// Not thread safe; one per connection.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "services/ftp-gateway/ftp_command.h"
#include "services/ftp-gateway/host_port.h"

namespace spoolgate::ftp {

struct QueueInfo {
  std::string name;
  std::string description;
  bool accepting = true;
  bool enabled = true;
  int waiting = 0;    // pending + held jobs
  int printers = 0;   // attached printers
  std::string printer_status;  // e.g. "ready", "media-empty since ...: paper out"
  std::string printer_state = "ready";  // one word for LIST: ready, printing, stalled ...
};

class QueueDirectory {
 public:
  virtual ~QueueDirectory() = default;
  // Every queue; an error (Unavailable ...) when the spooler cannot be asked.
  virtual absl::StatusOr<std::vector<QueueInfo>> Queues() = 0;
  // The queue called `name`, without regard to case; NotFound if none.
  virtual absl::StatusOr<QueueInfo> Find(absl::string_view name) = 0;
};

struct Action {
  enum class Kind {
    kNone,
    kClose,        // send the reply, then close the control connection
    kPassive,      // open a passive listener; the driver writes 227/229
    kStore,        // upload into (queue, name); the driver writes 150 and 226/4xx
    kList,         // directory listing of `queue` ("" = root) over the data connection
    kAbort,        // stop a transfer in progress (none: just the reply)
    kDelete,       // cancel the user's own waiting job `name` in `queue`; the driver replies
    kStartTls,     // send the reply (234), then the TLS handshake on the control connection
  };
  Kind kind = Kind::kNone;
  bool extended = false;   // kPassive: EPSV rather than PASV
  bool names_only = false; // kList: NLST
  bool append = false;     // kStore: APPE
  std::string queue;       // kStore, kList
  std::string name;        // kStore: file name as given; kDelete: name as listed or titled

  static Action Of(Kind kind, bool extended = false) {
    Action action;
    action.kind = kind;
    action.extended = extended;
    return action;
  }
};

struct Response {
  Reply reply;   // empty code: the driver replies (kPassive, kStore, kList)
  Action action;
};

class FtpSession {
 public:
  using Authenticator = std::function<bool(const std::string& user, const std::string& password)>;
  struct Options {
    std::string server_name = "Spoolgate";
    Authenticator authenticate;  // null: any user and password
    // Where `put FILE` at / goes, as on a Jetdirect's default port; empty =
    // the first queue.
    std::string default_queue;
    bool tls_available = false;  // FTPS: AUTH TLS, PBSZ and PROT are offered
    bool tls_required = false;   // USER before AUTH TLS and data in clear are refused
  };

  FtpSession(Options options, QueueDirectory& directory, std::string peer_ip);

  // The greeting to send on connect: 220, or 421 and kClose when the
  // spooler cannot be reached.
  Response Greeting();
  Response Handle(const FtpCommand& command);

  const std::string& user() const { return user_; }
  bool logged_in() const { return state_ == State::kLoggedIn; }
  // The data connection the next transfer uses.
  enum class DataMode { kNone, kPassive, kActive };
  DataMode data_mode() const { return data_mode_; }
  const HostPort& active_target() const { return active_; }
  // The driver opened (or failed to open) the passive listener.
  void PassiveOpened(bool ok) { data_mode_ = ok ? DataMode::kPassive : DataMode::kNone; }
  // A transfer used up the data connection setup.
  void TransferDone() { data_mode_ = DataMode::kNone; }
  bool epsv_all() const { return epsv_all_; }
  // PROT P: data connections are TLS.
  bool data_protected() const { return prot_private_; }
  bool ascii() const { return ascii_; }

 private:
  enum class State { kAwaitUser, kAwaitPass, kLoggedIn };
  using Handler = Response (FtpSession::*)(const FtpCommand&);
  static const std::map<std::string, Handler>& Handlers();

  Response Simple(int code, std::string text);
  // "name", "/q/name", "q/name", "q" -> queue and file name, or the reply.
  struct Upload {
    std::string queue;
    std::string name;
  };
  std::variant<Upload, Response> ResolveUpload(const std::string& path);
  // The queue named by a path ("q", "/q", "q/"), or the reply refusing it.
  std::variant<QueueInfo, Response> LookupQueue(absl::string_view path);

  Response User(const FtpCommand& c);
  Response Pass(const FtpCommand& c);
  Response Quit(const FtpCommand& c);
  Response Rein(const FtpCommand& c);
  Response Feat(const FtpCommand& c);
  Response Opts(const FtpCommand& c);
  Response Help(const FtpCommand& c);
  Response Auth(const FtpCommand& c);
  Response Pbsz(const FtpCommand& c);
  Response Prot(const FtpCommand& c);
  Response Ccc(const FtpCommand& c);
  // 521 when --ftps_required and the data connection would be in clear.
  std::optional<Response> RefuseClearData();
  Response Stat(const FtpCommand& c);
  Response Pwd(const FtpCommand& c);
  Response Cwd(const FtpCommand& c);
  Response Cdup(const FtpCommand& c);
  Response Type(const FtpCommand& c);
  Response Mode(const FtpCommand& c);
  Response Stru(const FtpCommand& c);
  Response Pasv(const FtpCommand& c);
  Response Epsv(const FtpCommand& c);
  Response Port(const FtpCommand& c);
  Response Stor(const FtpCommand& c);
  Response List(const FtpCommand& c);
  Response Dele(const FtpCommand& c);
  Response Abor(const FtpCommand& c);

  Options options_;
  QueueDirectory& directory_;  // borrowed
  const std::string peer_ip_;
  State state_ = State::kAwaitUser;
  std::string user_;
  std::string cwd_;  // queue name, "" = root
  bool ascii_ = true;  // RFC 959: TYPE A is the default
  bool epsv_all_ = false;
  bool tls_active_ = false;    // AUTH TLS succeeded
  bool pbsz_ = false;          // PBSZ 0 given
  bool prot_private_ = false;  // PROT P
  DataMode data_mode_ = DataMode::kNone;
  HostPort active_;
};

}  // namespace spoolgate::ftp
