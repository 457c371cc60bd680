// Every metric the FTP gateway exports, declared in one place.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace spoolgate::ftp {

struct FtpMetrics {
  explicit FtpMetrics(prometheus::Registry& registry);
  prometheus::Counter& sessions;
  prometheus::Gauge& active_sessions;
  prometheus::Family<prometheus::Counter>& uploads;  // {result}: accepted, refused reasons
  prometheus::Counter& bytes_received;
  prometheus::Histogram& transfer_seconds;
  prometheus::Gauge& passive_ports;  // listeners waiting for a client
  // FTPS: TLS handshakes by connection (control, data) and session
  // (new, resumed: a data connection that reused the control's session).
  prometheus::Family<prometheus::Counter>& tls_handshakes;
};

}  // namespace spoolgate::ftp
