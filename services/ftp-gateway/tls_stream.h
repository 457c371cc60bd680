// A connected socket that may be switched to TLS (FTPS, RFC 4217): the FTP
// control connection after AUTH TLS, and data connections under PROT P.
// The socket keeps its blocking mode and SO_RCVTIMEO/SO_SNDTIMEO, so reads
// and writes are bounded as for plain TCP.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace spoolgate::ftp {

// The server certificate and key, and the TLS session cache that lets a
// data connection resume the control connection's session.
class TlsServerContext {
 public:
  static absl::StatusOr<std::shared_ptr<TlsServerContext>> Load(const std::string& cert_file,
                                                                 const std::string& key_file);
  ~TlsServerContext();
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

class TlsStream {
 public:
  explicit TlsStream(int fd) : fd_(fd) {}  // `fd` is borrowed
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  enum class Tickets { kIssue, kNone };
  // The server side of a TLS handshake, bounded by `timeout`. Data
  // connections issue no TLS 1.3 session tickets (kNone): they resume the
  // control connection's session, and a ticket still unread when the client
  // closes would make its kernel reset the connection under our last read.
  absl::Status Accept(const TlsServerContext& context, absl::Duration timeout,
                      Tickets tickets = Tickets::kIssue);
  bool tls() const { return ssl_ != nullptr; }
  // Whether the peer resumed an earlier session (RFC 4217 data connections).
  bool resumed() const { return ssl_ != nullptr && SSL_session_reused(ssl_); }

  // As recv(2): bytes read, 0 at the end, -1 with errno set (EAGAIN when the
  // socket's receive timeout passed).
  ssize_t Read(char* buffer, size_t size);
  bool WriteAll(absl::string_view bytes);
  // Decrypted bytes waiting to be read: poll(2) cannot see them.
  bool Pending() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }
  // Sends TLS close_notify (a client expects it at the end of a transfer).
  void Close();
  int fd() const { return fd_; }

 private:
  int fd_;
  SSL* ssl_ = nullptr;
};

}  // namespace spoolgate::ftp
