// Drives one FTP control connection: reads command lines (bounded, with the
// idle timeout), lets FtpSession decide, and carries out its actions: data
// connections, uploads streamed into Intake, listings from the Admin API.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <grpcpp/channel.h>

#include "lib/intake/intake_client.h"
#include "lib/net/tcp_listener.h"
#include "spoolgate/v1/job.pb.h"
#include "services/ftp-gateway/ftp_gateway.h"
#include "services/ftp-gateway/tls_stream.h"

namespace spoolgate::ftp {

class FtpConnection {
 public:
  // `fd` is borrowed (the server owns and closes it).
  FtpConnection(int fd, net::Endpoint peer, const FtpOptions& options,
                std::shared_ptr<grpc::Channel> channel, QueueDirectory& directory,
                FtpMetrics* metrics);
  void Run();

 private:
  enum class LineResult { kLine, kTooLong, kClosed, kIdle };
  LineResult ReadLine(std::string* line);
  bool Send(const Reply& reply);
  void OpenPassive(bool extended);
  // A data connection, TLS under PROT P.
  struct DataStream {
    explicit DataStream(UniqueFd f) : fd(std::move(f)), stream(fd.get()) {}
    UniqueFd fd;
    TlsStream stream;  // declared after fd: freed before the fd closes
  };
  absl::StatusOr<UniqueFd> ConnectData();
  absl::StatusOr<std::unique_ptr<DataStream>> OpenData();
  // The TLS handshake on `data` under PROT P; nothing otherwise.
  absl::Status SecureData(DataStream& data);
  void Store(const Action& action);
  // Copies the upload from `data` into `intake` until the client closes it
  // (OK, or the spooler's refusal, after which the rest was dropped), or
  // ABOR, a stall or a broken connection ends it (the error).
  // Only ABOR is accepted on the control connection meanwhile.
  absl::Status ReceiveUpload(DataStream& data, IntakeJob& intake, uint64_t* bytes);
  // The replies to an upload that was not queued.
  void ReplyUploadFailed(const absl::Status& status);
  void List(const Action& action);
  void Delete(const Action& action);
  // Replies `reply` to a transfer command that will not transfer.
  void Discard(const Reply& reply);
  absl::StatusOr<std::vector<v1::Job>> QueueJobs(const std::string& queue, bool finished);

  const int fd_;
  TlsStream control_;  // plain TCP until AUTH TLS
  const net::Endpoint peer_;
  const net::Endpoint local_;
  const FtpOptions& options_;
  std::shared_ptr<grpc::Channel> channel_;
  FtpMetrics* metrics_;
  QueueDirectory& directory_;  // the gateway's, shared by every connection
  std::unique_ptr<FtpSession> session_;
  std::unique_ptr<char[]> discard_buffer_;  // a refused upload's bytes are read into it
  std::optional<PassiveListener> passive_;
  std::string pending_;  // bytes read past the last line
};

}  // namespace spoolgate::ftp
