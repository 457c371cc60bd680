#include "services/printer-agent/device_uri.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace spoolgate::agent {
namespace {
using ::spoolgate::testing::StatusIs;
using Scheme = DeviceUri::Scheme;

TEST(DeviceUriTest, ParsesEveryScheme) {
  auto usb = ParseDeviceUri("usb:/dev/usb/lp0");
  ASSERT_TRUE(usb.ok());
  EXPECT_EQ(usb->scheme, Scheme::kUsb);
  EXPECT_EQ(usb->path, "/dev/usb/lp0");
  auto par = ParseDeviceUri("parallel:/dev/lp0");
  ASSERT_TRUE(par.ok());
  EXPECT_EQ(par->scheme, Scheme::kParallel);
  auto file = ParseDeviceUri("file:///tmp/out.prn");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->scheme, Scheme::kFile);
  EXPECT_EQ(file->path, "/tmp/out.prn");
  auto dir = ParseDeviceUri("dir:/var/spool/out");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->scheme, Scheme::kDir);
  EXPECT_EQ(dir->path, "/var/spool/out");
}

TEST(DeviceUriTest, SocketHostsPortsAndIpv6) {
  auto plain = ParseDeviceUri("socket://192.0.2.10");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "192.0.2.10");
  EXPECT_EQ(plain->port, 9100);
  auto port = ParseDeviceUri("socket://192.0.2.10:9101/");
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->port, 9101);
  auto v6 = ParseDeviceUri("socket://[::1]:9102");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9102);
}

TEST(DeviceUriTest, UsbSelectorsBySerialOrModel) {
  auto serial = ParseDeviceUri("usb:?serial=X1234");
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(serial->serial, "X1234");
  EXPECT_TRUE(serial->path.empty());
  auto model = ParseDeviceUri("usb:?model=HP%20LaserJet%20M404");
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->model, "HP LaserJet M404");
}

TEST(DeviceUriTest, RejectsMalformedUris) {
  for (const char* bad : {"", "lp0", "ftp:/x", "dir:relative", "socket://", "socket://h:0",
                          "socket://h:99999", "socket://::1:9100", "socket://[::1", "usb:?color=red",
                          "usb:?", "file:x"}) {
    EXPECT_THAT(ParseDeviceUri(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace spoolgate::agent
