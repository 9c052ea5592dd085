// SPDX-License-Identifier: Apache-2.0
// A churn of short flows floods a small flow map while long-lived flows
// run: the map fills (counted), the cleanup evicts the oldest entries, new
// flows keep getting in, and the long flows keep their RTT samples. With
// room to grow, a million new flows grow the flow map to its maximum, the
// long flow keeps its samples, and every flow is either tracked or counted
// as refused.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

#include "exporter/util/netns.h"
#include "exporter/util/unique_fd.h"
#include "tests/lab/command.h"
#include "tests/lab/lab.h"
#include "tests/lab/owned_netns.h"
#include "tests/support/bpf_objects.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/packet_builder.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::map<std::string, std::string> kTcp{{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}};

// Every ICMP echo identifier is a flow of its own: `per_second` new ones.
void FloodWithShortFlows(const std::string& netns, int per_second, std::chrono::seconds duration) {
  NetnsScope scope(netns);
  const UniqueFd socket_fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
  ASSERT_TRUE(socket_fd.valid());
  const int fd = socket_fd.get();
  sockaddr_in to{};
  to.sin_family = AF_INET;
  inet_pton(AF_INET, Lab::kServerV4, &to.sin_addr);
  const auto end = Clock::now() + duration;
  auto next = Clock::now();
  for (uint16_t id = 1000; Clock::now() < end; ++id) {
    uint8_t packet[8] = {ICMP_ECHO, 0, 0, 0, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 1};
    uint32_t sum = 0;
    for (int i = 0; i < 8; i += 2) sum += (packet[i] << 8) | packet[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    const uint16_t checksum = htons(static_cast<uint16_t>(~sum));
    std::memcpy(&packet[2], &checksum, 2);
    sendto(fd, packet, sizeof(packet), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    next += std::chrono::microseconds(1'000'000 / per_second);
    std::this_thread::sleep_until(next);
  }
}

struct Reading {
  Clock::time_point at;
  std::vector<testing::Sample> samples;
  double Value(const std::string& name, const std::map<std::string, std::string>& labels) const {
    return testing::FindValue(samples, name, labels).value_or(0);
  }
};

Reading Read(int port) { return {Clock::now(), testing::ScrapeMetrics(port)}; }

double TcpSampleRate(const Reading& a, const Reading& b) {
  const std::chrono::duration<double> dt = b.at - a.at;
  return (b.Value("pping_rtt_seconds_count", kTcp) - a.Value("pping_rtt_seconds_count", kTcp)) / dt.count();
}

// RTT samples per TCP packet received: unlike the rate, it does not move
// with the long flows' own pace, which a busy machine slows (the lab's
// delay line runs in user space, and the flood goes through it too).
double TcpSamplesPerPacket(const Reading& a, const Reading& b) {
  const std::map<std::string, std::string> tcp_in{{"direction", "rx"}, {"protocol", "tcp"}};
  const double packets = b.Value("pping_packets_total", tcp_in) - a.Value("pping_packets_total", tcp_in);
  return (b.Value("pping_rtt_seconds_count", kTcp) - a.Value("pping_rtt_seconds_count", kTcp)) / packets;
}

TEST(MapPressure, ShortFlowChurnCannotStarveLongFlows) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"ppflood", 5ms});
  const int port = testing::FreeLocalPort();
  testing::Process exporter(testing::MonitoringExporterArgv(
      lab.client_netns(), lab.monitored_interface(), port,
      {"--sampling.rate-limit", "10ms", "--datapath.flow-map-size", "128", "--datapath.flow-map-max-size", "128",
       "--datapath.timestamp-map-size", "128", "--datapath.timestamp-map-max-size", "128", "--cleanup.protect-young",
       "200ms"}));
  // The rate before the flood is measured from once the programs are
  // attached: counting the load time as well would understate it.
  ASSERT_TRUE(testing::WaitUntilReady(port)) << exporter.Output();
  std::this_thread::sleep_for(500ms);
  const Reading start = Read(port);
  std::this_thread::sleep_for(2s);
  const Reading before = Read(port);
  FloodWithShortFlows(lab.client_netns(), 1000, 4s);  // ~4000 flows into 128 slots
  const Reading after = Read(port);
  const double rate_before = TcpSampleRate(start, before);
  const double share_before = TcpSamplesPerPacket(start, before), share_during = TcpSamplesPerPacket(before, after);
  std::cout << "long-flow TCP samples/s before the flood " << rate_before << ", during it "
            << TcpSampleRate(before, after) << "; per TCP packet " << share_before << " and " << share_during
            << "; flows opened during it "
            << after.Value("pping_flows_opened_total", {{"reason", "first_packet"}}) -
                   before.Value("pping_flows_opened_total", {{"reason", "first_packet"}})
            << ", evicted "
            << after.Value("pping_flows_closed_total", {{"reason", "evicted"}, {"bidirectional", "true"}}) << "\n";
  EXPECT_GT(rate_before, 20);
  EXPECT_GE(share_during, 0.8 * share_before);
  EXPECT_GT(after.Value("pping_map_full_total", {{"map", "flow_state"}}), 0) << "the flood never filled the map";
  EXPECT_GT(after.Value("pping_flows_closed_total", {{"reason", "evicted"}, {"bidirectional", "true"}}), 500);
  // New flows kept getting in: far more opened than the map holds.
  EXPECT_GT(after.Value("pping_flows_opened_total", {{"reason", "first_packet"}}), 1000);
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  EXPECT_NE(exit.output.find("insertions refused since the last warning"), std::string::npos) << exit.output;
}

// `flows` TCP segments, each of a flow of its own (sources counted up from
// 10.0.0.0), run through `program` at `per_second`.
void FloodWithNewFlows(int program, uint32_t flows, uint32_t per_second) {
  testing::Frame frame =
      testing::BuildTcp({"10.0.0.0", "127.0.0.1", 40000, 443, testing::kAck | testing::kPsh, std::nullopt, 1});
  const auto start = Clock::now();
  for (uint32_t i = 0; i < flows; ++i) {
    testing::SetIpv4Source(frame, (10u << 24) + i);
    bpf_test_run_opts run{};
    run.sz = sizeof(run);
    run.data_in = frame.data();
    run.data_size_in = static_cast<uint32_t>(frame.size());
    run.repeat = 1;
    ASSERT_EQ(bpf_prog_test_run_opts(program, &run), 0);
    if (i % 1000 == 999)
      std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000ull * i / per_second));
  }
}

TEST(MapPressure, AMillionNewFlowsGrowTheFlowMapWhileALongFlowKeepsItsSamples) {
  PPING_SKIP_UNLESS_ROOT();
  constexpr uint32_t kFlows = 1'000'000, kMax = 131072;
  const OwnedNetns netns(UniqueNetnsBase("ppgrow"));
  RunOrThrow({"ip", "-n", netns.name(), "link", "set", "lo", "up"});
  const int port = testing::FreeLocalPort();
  testing::Process exporter(testing::MonitoringExporterArgv(
      netns.name(), "lo", port, {"--sampling.rate-limit", "0", "--datapath.flow-map-max-size", std::to_string(kMax)}));
  ASSERT_TRUE(testing::WaitUntilReady(port)) << exporter.Output();
  const UniqueFd ingress = testing::ProgramFdHeldBy(exporter.pid(), "pping_tc_ingress");
  ASSERT_TRUE(ingress.valid());
  // The long-lived flow: a ping on the namespace's loopback, each reply a
  // sample.
  testing::Process ping({"ip", "netns", "exec", netns.name(), "ping", "-q", "-i", "0.02", "127.0.0.1"});
  // Samples against packets, both read from the datapath's live counters
  // (the per-prefix histograms lag by a drain): the flood takes none.
  const std::map<std::string, std::string> icmp_in{{"direction", "rx"}, {"protocol", "icmp"}};
  const auto per_packet = [&](const Reading& a, const Reading& b) {
    return (b.Value("pping_rtt_samples_total", {}) - a.Value("pping_rtt_samples_total", {})) /
           (b.Value("pping_packets_total", icmp_in) - a.Value("pping_packets_total", icmp_in));
  };
  std::this_thread::sleep_for(1s);
  const Reading start = Read(port);
  std::this_thread::sleep_for(3s);
  const Reading before = Read(port);
  FloodWithNewFlows(ingress.get(), kFlows, 100'000);
  std::this_thread::sleep_for(1500ms);  // the cleanup's pass after the last of them
  const Reading after = Read(port);
  const auto delta = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    return after.Value(name, labels) - before.Value(name, labels);
  };
  const double opened = delta("pping_flows_opened_total", {{"reason", "first_packet"}});
  const double full = delta("pping_map_full_total", {{"map", "flow_state"}});
  const double no_memory = delta("pping_map_alloc_failures_total", {{"map", "flow_state"}});
  std::cout << "samples per ICMP packet before " << per_packet(start, before) << ", during the flood "
            << per_packet(before, after) << "; flows opened " << opened << ", refused (full) " << full
            << ", refused (no memory) " << no_memory << "; flow map capacity "
            << after.Value("pping_map_capacity", {{"map", "flow_state"}}) << " after "
            << after.Value("pping_map_resizes_total", {{"map", "flow_state"}, {"change", "grow"}}) << " growths in "
            << after.Value("pping_map_resize_seconds_total", {{"map", "flow_state"}}) << " s\n";
  // On a loopback each ping passes ingress twice (request and reply).
  EXPECT_GT(per_packet(start, before), 0.45) << "nearly every reply a sample before the flood";
  EXPECT_GE(per_packet(before, after), 0.9 * per_packet(start, before));
  EXPECT_EQ(opened + full + no_memory, kFlows) << "every new flow tracked or counted as refused";
  EXPECT_EQ(after.Value("pping_map_capacity", {{"map", "flow_state"}}), kMax) << "grown to its maximum, no further";
  EXPECT_EQ(after.Value("pping_map_capacity_max", {{"map", "flow_state"}}), kMax);
  EXPECT_GE(after.Value("pping_map_resizes_total", {{"map", "flow_state"}, {"change", "grow"}}), 1);
  EXPECT_LE(after.Value("pping_flows_tracked", {}), kMax);
  EXPECT_EQ(after.Value("pping_map_move_dropped_total", {{"map", "flow_state"}}), 0);
  ping.Terminate();
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  EXPECT_NE(exit.output.find("grew the flow map from 16384"), std::string::npos) << exit.output;
}

}  // namespace
}  // namespace pping
