#include "services/ftp-gateway/tls_stream.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace spoolgate::ftp {
namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "no details";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

}  // namespace

absl::StatusOr<std::shared_ptr<TlsServerContext>> TlsServerContext::Load(
    const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return absl::InternalError("SSL_CTX_new failed");
  auto context = std::shared_ptr<TlsServerContext>(new TlsServerContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(cert_file, ": ", OpenSslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(key_file, ": ", OpenSslError()));
  }
  // Sessions are cached by the server so that a data connection can resume
  // the control connection's session, which clients (and vsftpd's
  // require_ssl_reuse) use to tie the two together.
  static const unsigned char kSessionContext[] = "spoolgate-ftps";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  return context;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

absl::Status TlsStream::Accept(const TlsServerContext& context, absl::Duration timeout,
                              Tickets tickets) {
  ssl_ = SSL_new(context.get());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
    return absl::InternalError(absl::StrCat("TLS setup: ", OpenSslError()));
  }
  if (tickets == Tickets::kNone) SSL_set_num_tickets(ssl_, 0);
  timeval tv = absl::ToTimeval(timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int rc = SSL_accept(ssl_);
  if (rc != 1) {
    std::string reason = OpenSslError();
    SSL_free(ssl_);
    ssl_ = nullptr;
    return absl::UnavailableError(absl::StrCat("TLS handshake failed: ", reason));
  }
  return absl::OkStatus();
}

ssize_t TlsStream::Read(char* buffer, size_t size) {
  if (ssl_ == nullptr) return ::recv(fd_, buffer, size, 0);
  int n = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, 1 << 30)));
  if (n > 0) return n;
  int error = SSL_get_error(ssl_, n);
  if (error == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    errno = EAGAIN;  // the socket's timeout passed
    return -1;
  }
  ERR_clear_error();
  // A peer that closes without close_notify ends the stream too; whether
  // the bytes were complete is for the caller (an FTP upload has no length).
  if (error == SSL_ERROR_SYSCALL && errno == 0) return 0;
  if (errno == 0) errno = ECONNRESET;
  return -1;
}

bool TlsStream::WriteAll(absl::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n;
    if (ssl_ == nullptr) {
      n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
    } else {
      n = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 30)));
    }
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void TlsStream::Close() {
  if (ssl_ != nullptr) SSL_shutdown(ssl_);
}

}  // namespace spoolgate::ftp
