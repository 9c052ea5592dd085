// SPDX-License-Identifier: Apache-2.0
// RTT methods beyond TCP timestamps and ICMP echo, end to end: real
// traffic in the namespace lab at a known delay, the exporter binary in
// the client namespace writing its events and serving /metrics.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/lab/command.h"
#include "tests/lab/lab.h"
#include "tests/lab/traffic.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/json_lines.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using Labels = std::map<std::string, std::string>;

// The RTTs of the events of one method and IP version (and protocol, if
// given), in seconds, sorted.
std::vector<double> EventRtts(const std::vector<nlohmann::json>& events, const std::string& method, bool ipv6,
                              const std::string& protocol = "") {
  std::vector<double> rtts;
  for (const auto& e : events) {
    if (!e.contains("rtt") || e.value("method", "") != method) continue;
    if (!protocol.empty() && e.value("protocol", "") != protocol) continue;
    if ((e.value("src_ip", "").find(':') != std::string::npos) != ipv6) continue;
    rtts.push_back(e["rtt"].get<double>() / 1e9);
  }
  std::sort(rtts.begin(), rtts.end());
  return rtts;
}

// What the exporter showed watching the lab's client for a few seconds:
// its exposition at the end, and every event it wrote.
struct Watched {
  std::string exposition;
  std::vector<testing::Sample> samples;
  std::vector<nlohmann::json> events;
};

// `during` runs while the exporter watches (by default: 4 s of the lab's
// own traffic).
Watched Watch(
    const Lab& lab, std::vector<std::string> flags,
    const std::function<void()>& during = [] { std::this_thread::sleep_for(4s); }) {
  const int port = testing::FreeLocalPort();
  const std::string events_path = testing::TempPath("events.jsonl");
  std::remove(events_path.c_str());
  flags.insert(flags.end(),
               {"--aggregation.interval", "250ms", "--output.format", "jsonl", "--output.write", events_path});
  testing::Process exporter(
      testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), port, flags));
  Watched out;
  EXPECT_TRUE(testing::WaitUntilReady(port)) << exporter.Output();
  during();
  out.exposition = testing::HttpGet(port, "/metrics").value_or(testing::HttpResponse{}).body;
  out.samples = testing::ParseExposition(out.exposition);
  EXPECT_TRUE(exporter.Running()) << exporter.Output();
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  out.events = testing::ReadJsonLines(events_path);
  return out;
}

// Both sides with net.ipv4.tcp_timestamps=0: RTTs from sequence and ACK
// numbers, request/response and paced bulk TCP over IPv4 and IPv6. Each
// sample's median sits within 0.5 ms of the delay and none below it.
TEST(SeqAck, TcpWithoutTimestampsMatchesTheInjectedDelay) {
  PPING_SKIP_UNLESS_ROOT();
  constexpr auto kDelay = 20ms;
  Lab lab({.name = "ppseq",
           .delay = kDelay,
           .traffic = {.request_response = true, .ping = false, .paced_bulk = true},
           .tcp_timestamps = false});
  const Watched w = Watch(lab, {"--sampling.rate-limit", "10ms"});
  const auto& samples = w.samples;
  const auto& events = w.events;
  const double delay = std::chrono::duration<double>(kDelay).count();
  for (const bool ipv6 : {false, true}) {
    const std::string prefix = ipv6 ? "2001:db8:1::/48" : "192.0.2.0/24";
    const std::vector<double> rtts = EventRtts(events, "seq_ack", ipv6);
    ASSERT_GE(rtts.size(), 60u) << prefix;
    const double median = rtts[rtts.size() / 2];
    std::cout << "seq_ack " << prefix << ": " << rtts.size() << " samples, min " << rtts.front() * 1e3 << " ms, median "
              << median * 1e3 << " ms, max " << rtts.back() * 1e3 << " ms\n";
    EXPECT_NEAR(median, delay, 0.0005) << prefix;
    EXPECT_GE(rtts.front(), delay) << "no RTT can be shorter than the injected delay: " << prefix;
    EXPECT_TRUE(EventRtts(events, "timestamp", ipv6).empty()) << "no timestamps on the wire";
    // The histogram counts what the events show, under method="seq_ack".
    const Labels series{{"prefix", prefix}, {"protocol", "tcp"}, {"method", "seq_ack"}};
    EXPECT_GE(testing::FindValue(samples, "pping_rtt_seconds_count", series).value_or(0), 60) << prefix;
    EXPECT_GE(testing::FindValue(samples, "pping_rtt_min_seconds", series).value_or(0), delay) << prefix;
  }
  // Four connections (request/response and bulk, over IPv4 and IPv6),
  // already running when the exporter attached.
  EXPECT_EQ(testing::FindValue(samples, "pping_flows_opened_total", {{"reason", "first_packet"}}), 4);
}

// dnsmasq (Debian's) in the server namespace answering queries over UDP
// and TCP, IPv4 and IPv6, 20 ms away: each response time is the delay plus
// the server's own time, never less than the delay (over UDP within 1 ms
// of it; over TCP dnsmasq forks a process per connection first); NXDOMAIN
// answers have their own series.
TEST(Dns, ResponseTimesOfARealServerMatchTheInjectedDelay) {
  PPING_SKIP_UNLESS_ROOT();
  constexpr auto kDelay = 20ms;
  Lab lab({.name = "ppdns", .delay = kDelay, .traffic = {.request_response = false, .ping = false, .dns = true}});
  const Watched w = Watch(lab, {});
  const auto& samples = w.samples;
  const auto& events = w.events;
  const std::string& exposition = w.exposition;
  const double delay = std::chrono::duration<double>(kDelay).count();
  for (const bool ipv6 : {false, true}) {
    const std::string prefix = ipv6 ? "2001:db8:1::/48" : "192.0.2.0/24";
    for (const char* protocol : {"UDP", "TCP"}) {
      const std::vector<double> times = EventRtts(events, "dns", ipv6, protocol);
      ASSERT_GE(times.size(), 20u) << prefix << " " << protocol;
      const double median = times[times.size() / 2];
      std::cout << "dns " << protocol << " " << prefix << ": " << times.size() << " responses, min "
                << times.front() * 1e3 << " ms, median " << median * 1e3 << " ms, max " << times.back() * 1e3
                << " ms\n";
      EXPECT_NEAR(median, delay, std::string(protocol) == "UDP" ? 0.001 : 0.005) << prefix << " " << protocol;
      EXPECT_GE(times.front(), delay) << "no response can come sooner than the delay: " << prefix;
    }
    for (const char* protocol : {"udp", "tcp"}) {
      for (const char* rcode : {"NOERROR", "NXDOMAIN"}) {
        const Labels series{{"prefix", prefix}, {"protocol", protocol}, {"rcode", rcode}};
        EXPECT_GE(testing::FindValue(samples, "pping_dns_response_seconds_count", series).value_or(0), 5)
            << prefix << " " << protocol << " " << rcode << "\n"
            << exposition;
      }
    }
  }
  const double queries = testing::FindValue(samples, "pping_dns_queries_total", {}).value_or(0);
  EXPECT_GE(queries, 80);
  EXPECT_EQ(testing::FindValue(samples, "pping_dns_queries_unanswered_total", {}), 0);
}

// The client namespace's count of TCP segments its stack retransmitted
// (the kernel's RetransSegs, IPv4 and IPv6 together).
uint64_t KernelRetransSegs(const std::string& netns) {
  const CommandResult snmp = RunCommand({"ip", "netns", "exec", netns, "cat", "/proc/net/snmp"});
  std::istringstream lines(snmp.output);
  std::string header, values;
  while (std::getline(lines, header)) {
    if (header.rfind("Tcp:", 0) != 0 || !std::getline(lines, values)) continue;
    std::istringstream names(header), numbers(values);
    std::string name, number;
    while (names >> name && numbers >> number) {
      if (name == "RetransSegs") return std::stoull(number);
    }
  }
  ADD_FAILURE() << "no Tcp RetransSegs in " << snmp.output;
  return 0;
}

double SumOf(const std::vector<testing::Sample>& samples, const std::string& name, const std::string& direction) {
  double total = 0;
  for (const auto& s : samples) {
    if (s.name == name && s.labels.at("direction") == direction) total += s.value;
  }
  return total;
}

// Bulk TCP over IPv4 and IPv6 through a delay line that loses every 40th
// client packet, after the client's hook and before the server's. Every
// segment the client's stack retransmits (the kernel's own count) is
// counted once by each side: as sent again (tx) by an exporter on the
// client's interface, as received again (rx) by one on the server's.
TEST(Retransmits, EachSideCountsWhatTheSendersStackRetransmitted) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({.name = "ppretx", .delay = 10ms, .traffic = {.request_response = false, .ping = false}, .drop_every = 40});
  const int client_port = testing::FreeLocalPort();
  testing::Process client(testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), client_port,
                                                          {"--aggregation.interval", "100ms"}));
  ASSERT_TRUE(testing::WaitUntilReady(client_port)) << client.Output();
  const int server_port = testing::FreeLocalPort();
  testing::Process server(
      testing::MonitoringExporterArgv(lab.server_netns(), "pps0", server_port, {"--aggregation.interval", "100ms"}));
  ASSERT_TRUE(testing::WaitUntilReady(server_port)) << server.Output();
  const uint64_t before = KernelRetransSegs(lab.client_netns());
  {
    Traffic bulk({.client_netns = lab.client_netns(),
                  .server_netns = lab.server_netns(),
                  .server_addresses = {Lab::kServerV4, Lab::kServerV6},
                  .mix = {.request_response = false, .ping = false, .paced_bulk = true},
                  .bulk_interval = 500us});
    std::this_thread::sleep_for(4s);
  }
  // Closed connections still resend what was not yet acknowledged.
  std::this_thread::sleep_for(1500ms);
  const uint64_t kernel = KernelRetransSegs(lab.client_netns()) - before;
  const auto scrape = [](int port) {
    return testing::ParseExposition(testing::HttpGet(port, "/metrics").value_or(testing::HttpResponse{}).body);
  };
  const auto sent = scrape(client_port);
  const auto received = scrape(server_port);
  const double tx = SumOf(sent, "pping_prefix_retransmits_total", "tx");
  const double rx = SumOf(received, "pping_prefix_retransmits_total", "rx");
  std::cout << "kernel RetransSegs " << kernel << ", client exporter tx " << tx << " (spurious "
            << SumOf(sent, "pping_prefix_spurious_retransmits_total", "tx") << "), server exporter rx " << rx << "\n";
  EXPECT_GE(kernel, 20u) << "the lost packets were resent";
  EXPECT_EQ(tx, static_cast<double>(kernel));
  EXPECT_EQ(rx, static_cast<double>(kernel));
  EXPECT_EQ(SumOf(sent, "pping_prefix_retransmits_total", "rx"), 0) << "the server sent no data";
  EXPECT_LE(SumOf(sent, "pping_prefix_spurious_retransmits_total", "tx"), tx / 10) << "every 40th packet was lost";
  for (const auto& prefix : {"192.0.2.0/24", "2001:db8:1::/48"}) {
    EXPECT_GT(testing::FindValue(sent, "pping_prefix_retransmits_total",
                                 {{"prefix", prefix}, {"protocol", "tcp"}, {"direction", "tx"}})
                  .value_or(0),
              0)
        << prefix;
  }
  EXPECT_EQ(client.Terminate().code, 0);
  EXPECT_EQ(server.Terminate().code, 0);
}

// A real QUIC implementation from Debian: ngtcp2's example server and
// client (GnuTLS builds) over HTTP/3 on port 443. This version does not
// spin: its spin bit stays 0 in every short-header packet, so its flows
// are tracked and counted as UDP, and give no spin samples. Spinning
// flows are tested with crafted packets (tests/datapath/spin_test.cc).
TEST(Quic, ARealConnectionThatDoesNotSpinGivesNoSamples) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({.name = "ppquic", .delay = 20ms, .traffic = {.request_response = false, .ping = false}});
  const std::string folder = testing::TempPath("quic");
  std::filesystem::create_directories(folder + "/www");
  {
    std::ofstream big(folder + "/www/big", std::ios::binary);
    big << std::string(1 << 20, 'q');
  }
  const CommandResult cert =
      RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/key.pem", "-out",
                  folder + "/cert.pem", "-days", "1", "-subj", "/CN=" + std::string(Lab::kServerV4)});
  ASSERT_EQ(cert.exit_code, 0) << cert.output;
  testing::Process server({"ip", "netns", "exec", lab.server_netns(), "gtlsserver", Lab::kServerV4, "443",
                           folder + "/key.pem", folder + "/cert.pem", "-q", "-d", folder + "/www"});
  unsigned fetched = 0;
  const Watched w = Watch(lab, {}, [&] {
    for (int i = 0; i < 3; ++i) {
      const CommandResult client =
          RunCommand({"ip", "netns", "exec", lab.client_netns(), "timeout", "10", "gtlsclient", Lab::kServerV4, "443",
                      std::string("https://") + Lab::kServerV4 + "/big", "-q", "--exit-on-all-streams-close"});
      fetched += client.exit_code == 0;
    }
  });
  EXPECT_GT(fetched, 0u) << "no fetch over QUIC worked";
  const Labels udp{{"prefix", "192.0.2.0/24"}, {"protocol", "udp"}, {"direction", "rx"}};
  // The file came back over UDP (in few, large packets where GRO merged them).
  EXPECT_GE(testing::FindValue(w.samples, "pping_prefix_bytes_total", udp).value_or(0), 1 << 20);
  EXPECT_FALSE(testing::FindValue(w.samples, "pping_rtt_seconds_count", {{"protocol", "quic"}}))
      << "a spin bit that stays 0 gave samples";
  EXPECT_GE(testing::FindValue(w.samples, "pping_flows_opened_total", {{"reason", "first_packet"}}).value_or(0), 1)
      << "its short-header packets were not tracked as QUIC";
  EXPECT_TRUE(EventRtts(w.events, "spin", false).empty());
}

}  // namespace
}  // namespace pping
