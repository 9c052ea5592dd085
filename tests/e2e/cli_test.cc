// SPDX-License-Identifier: Apache-2.0
// Bad input ends the exporter with one line on stderr, exit code 2 and
// nothing left loaded or attached.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/http_get.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

std::string FreeAddress() { return "127.0.0.1:" + std::to_string(testing::FreeLocalPort()); }

void ExpectUsageError(const testing::Exit& exit, const std::string& needle) {
  EXPECT_EQ(exit.code, 2) << exit.output;
  EXPECT_NE(exit.output.find(needle), std::string::npos) << exit.output;
  EXPECT_EQ(exit.output.find('\n'), exit.output.size() - 1) << "one line expected: " << exit.output;
  EXPECT_FALSE(testing::PpingProgramsRemain());
}

TEST(Cli, UnknownInterface) {
  ExpectUsageError(testing::RunExporter({"--interface", "nosuch0", "--web.listen-address", FreeAddress()}),
                   "unknown interface nosuch0");
}

TEST(Cli, BadPrefixLength) {
  ExpectUsageError(testing::RunExporter({"--aggregation.ipv4-prefix", "40"}), "--aggregation.ipv4-prefix");
}

TEST(Cli, UnknownNamespace) {
  ExpectUsageError(testing::RunExporter({"--netns", "no-such-ns", "--interface", "lo"}), "no-such-ns");
}

TEST(Cli, PortInUse) {
  PPING_SKIP_UNLESS_ROOT();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string busy = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  ExpectUsageError(testing::RunExporter({"--interface", "lo", "--web.listen-address", busy}), "listen on " + busy);
  close(fd);
}

TEST(Cli, NoBpfPermission) {
  PPING_SKIP_UNLESS_ROOT();
  // As an unprivileged user without capabilities the BPF load must fail.
  testing::Process p({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                      testing::ExporterPath(), "--interface", "lo", "--web.listen-address", FreeAddress()});
  ExpectUsageError(p.Wait(std::chrono::seconds(20)), "load BPF datapath");
}

TEST(Cli, VersionAndHelp) {
  const auto version = testing::RunExporter({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_NE(version.output.find("0."), std::string::npos);
  const auto help = testing::RunExporter({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("--web.telemetry-path"), std::string::npos);
}

}  // namespace
}  // namespace pping
