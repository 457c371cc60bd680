#include "services/ftp-gateway/ftp_metrics.h"

namespace spoolgate::ftp {

FtpMetrics::FtpMetrics(prometheus::Registry& registry)
    : sessions(prometheus::BuildCounter().Name("spoolgate_ftp_sessions_total")
                   .Help("FTP control connections accepted").Register(registry).Add({})),
      active_sessions(prometheus::BuildGauge().Name("spoolgate_ftp_active_sessions")
                          .Help("FTP sessions open now").Register(registry).Add({})),
      uploads(prometheus::BuildCounter().Name("spoolgate_ftp_uploads_total")
                  .Help("Uploads by result (accepted or the refusal reason)").Register(registry)),
      bytes_received(prometheus::BuildCounter().Name("spoolgate_ftp_bytes_received_total")
                         .Help("Uploaded bytes").Register(registry).Add({})),
      transfer_seconds(prometheus::BuildHistogram().Name("spoolgate_ftp_transfer_seconds")
                           .Help("From 150 to 226 (spooler commit included)").Register(registry)
                           .Add({}, prometheus::Histogram::BucketBoundaries{
                                        0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300})),
      passive_ports(prometheus::BuildGauge().Name("spoolgate_ftp_passive_ports_in_use")
                        .Help("Passive listeners open").Register(registry).Add({})),
      tls_handshakes(prometheus::BuildCounter().Name("spoolgate_ftp_tls_handshakes_total")
                         .Help("FTPS handshakes by connection (control, data) and session (new, resumed)")
                         .Register(registry)) {}

}  // namespace spoolgate::ftp
