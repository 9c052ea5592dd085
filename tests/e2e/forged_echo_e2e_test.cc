// SPDX-License-Identifier: Apache-2.0
// A sender that knows a TCP flow's four-tuple forges ACKs with random TSval
// and TSecr from the server's address and port, 5,000 a second, onto the
// wire towards the client (an AF_PACKET socket on the server's end of the
// veth, so they reach the client's monitored interface as the genuine
// replies do). The flow keeps its RTT samples, and the forgeries are
// counted.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "exporter/util/netns.h"
#include "exporter/util/unique_fd.h"
#include "tests/lab/command.h"
#include "tests/lab/lab.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/packet_builder.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr uint16_t kEchoPort = 7007;  // the lab's request/response server

// The client's port of its connection to the server's echo port.
uint16_t ClientPort(const std::string& netns) {
  const std::string listing = RunCommand({"ip", "netns", "exec", netns, "ss", "-Htn", "state", "established", "dst",
                                          std::string(Lab::kServerV4) + ":" + std::to_string(kEchoPort)})
                                  .output;
  // "0 0 192.0.2.1:40312 192.0.2.2:7007": the local address is the third.
  std::istringstream fields(listing);
  std::string field;
  for (int i = 0; i < 3 && fields >> field; ++i) {
  }
  const size_t colon = field.rfind(':');
  return colon == std::string::npos ? 0 : static_cast<uint16_t>(std::stoul(field.substr(colon + 1)));
}

// An interface's MAC address, as `ip -o link` shows it.
std::array<uint8_t, 6> MacOf(const std::string& netns, const std::string& interface) {
  const std::string line = RunCommand({"ip", "-n", netns, "-o", "link", "show", interface}).output;
  std::array<uint8_t, 6> mac{};
  const size_t at = line.find("link/ether ");
  if (at != std::string::npos) {
    std::sscanf(line.c_str() + at + 11, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
                &mac[5]);
  }
  return mac;
}

// ACKs of the connection to `client_port` with random TSval and TSecr,
// `per_second` for `duration`, sent out of the server's end of the veth.
void ForgeEchoes(const Lab& lab, uint16_t client_port, int per_second, std::chrono::seconds duration) {
  const std::array<uint8_t, 6> to = MacOf(lab.client_netns(), lab.monitored_interface());
  NetnsScope scope(lab.server_netns());
  const UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
  ASSERT_TRUE(fd.valid());
  sockaddr_ll out{};
  out.sll_family = AF_PACKET;
  out.sll_ifindex = static_cast<int>(if_nametoindex("pps0"));
  out.sll_halen = ETH_ALEN;
  std::copy(to.begin(), to.end(), out.sll_addr);
  ASSERT_GT(out.sll_ifindex, 0);
  std::mt19937 random(7);
  const auto end = Clock::now() + duration;
  auto next = Clock::now();
  while (Clock::now() < end) {
    testing::Frame frame =
        testing::BuildTcp({Lab::kServerV4,
                           Lab::kClientV4,
                           kEchoPort,
                           client_port,
                           testing::kAck,
                           testing::TcpTimestamps{static_cast<uint32_t>(random()), static_cast<uint32_t>(random())},
                           0,
                           {},
                           static_cast<uint32_t>(random()),
                           static_cast<uint32_t>(random())});
    std::copy(to.begin(), to.end(), frame.begin());
    sendto(fd.get(), frame.data(), frame.size(), 0, reinterpret_cast<const sockaddr*>(&out), sizeof(out));
    next += std::chrono::microseconds(1'000'000 / per_second);
    std::this_thread::sleep_until(next);
  }
}

double Value(int port, const std::string& name) {
  return testing::FindValue(testing::ScrapeMetrics(port), name, {}).value_or(-1);
}

TEST(ForgedEchoes, RandomAcksFromAnyoneWhoKnowsTheFourTupleCostAFlowNoSamples) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({.name = "ppforge", .delay = 20ms, .traffic = {.request_response = true, .ping = false}, .ipv6 = false});
  const int port = testing::FreeLocalPort();
  testing::Process exporter(testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), port, {}));
  ASSERT_TRUE(testing::WaitUntilReady(port)) << exporter.Output();
  uint16_t client_port = 0;
  for (int i = 0; i < 50 && client_port == 0; ++i) {
    std::this_thread::sleep_for(100ms);
    client_port = ClientPort(lab.client_netns());
  }
  ASSERT_NE(client_port, 0) << "no request/response connection found";
  std::this_thread::sleep_for(1s);
  // Samples are read from the datapath's live counter: the lab's only
  // flow with RTTs is the one under attack.
  const double start = Value(port, "pping_rtt_samples_total");
  std::this_thread::sleep_for(8s);
  const double before = Value(port, "pping_rtt_samples_total");
  const double implausible_before = Value(port, "pping_echoes_implausible_total");
  ForgeEchoes(lab, client_port, 5000, 8s);
  const double after = Value(port, "pping_rtt_samples_total");
  const double implausible = Value(port, "pping_echoes_implausible_total") - implausible_before;
  std::cout << "samples in 8 s: " << before - start << " without forgeries, " << after - before
            << " under 5,000 forged ACKs/s; counted implausible " << implausible << "\n";
  EXPECT_GT(before - start, 40) << "the flow gives samples to keep";
  EXPECT_GE(after - before, 0.9 * (before - start));
  EXPECT_GT(implausible, 100) << "the forgeries are counted";
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
}

}  // namespace
}  // namespace pping
