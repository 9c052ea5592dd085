// SPDX-License-Identifier: Apache-2.0
// End to end: two namespaces joined by veth, a known delay D on the path,
// real TCP and ping over IPv4 and IPv6, the exporter binary attached in the
// client namespace, /metrics scraped over HTTP. The histogram medians must
// sit within 10 % + 0.5 ms of D, for two values of D and both hook modes.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "tests/lab/lab.h"
#include "tests/support/bpf_objects.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using Labels = std::map<std::string, std::string>;

const Labels kSeries[] = {
    {{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}},
    {{"prefix", "192.0.2.0/24"}, {"protocol", "icmp"}},
    {{"prefix", "2001:db8:1::/48"}, {"protocol", "tcp"}},
    {{"prefix", "2001:db8:1::/48"}, {"protocol", "icmpv6"}},
};

constexpr double kMinSamples = 60;

std::string Describe(const Labels& labels) { return labels.at("prefix") + " " + labels.at("protocol"); }

// Scrapes until every series has enough samples (or time runs out).
std::vector<testing::Sample> ScrapeWhenReady(int port) {
  std::vector<testing::Sample> samples;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(500ms);
    const auto response = testing::HttpGet(port, "/metrics");
    if (!response) continue;
    samples = testing::ParseExposition(response->body);
    bool ready = true;
    for (const auto& series : kSeries) {
      ready = ready && testing::FindValue(samples, "pping_rtt_seconds_count", series).value_or(0) >= kMinSamples;
    }
    if (ready) break;
  }
  return samples;
}

struct Scenario {
  int delay_ms;
  const char* attach_mode;  // tc hooks: tcx or clsact
  const char* ingress_hook = "tc";
};

class EndToEnd : public ::testing::TestWithParam<Scenario> {};

TEST_P(EndToEnd, MedianRttMatchesInjectedDelay) {
  PPING_SKIP_UNLESS_ROOT();
  const Scenario scenario = GetParam();
  Lab lab({"ppe2e", std::chrono::milliseconds(scenario.delay_ms)});
  const int port = testing::FreeLocalPort();
  testing::Process exporter(
      testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), port,
                                      {"--aggregation.interval", "250ms", "--attach.tc-mode", scenario.attach_mode,
                                       "--sampling.rate-limit", "10ms", "--attach.ingress-hook", scenario.ingress_hook,
                                       // Accuracy is checked on the kernel's own 12.5 % buckets.
                                       "--histogram.buckets-per-octave", "8"}));
  const auto samples = ScrapeWhenReady(port);
  ASSERT_TRUE(exporter.Running()) << exporter.Output();
  EXPECT_EQ(testing::FindValue(samples, "pping_interface_attached",
                               {{"interface", "ppc0"}, {"hook", "egress"}, {"mode", scenario.attach_mode}}),
            1);
  const std::string ingress_mode = scenario.ingress_hook == std::string("xdp") ? "xdp-native" : scenario.attach_mode;
  EXPECT_EQ(testing::FindValue(samples, "pping_interface_attached",
                               {{"interface", "ppc0"}, {"hook", "ingress"}, {"mode", ingress_mode}}),
            1);
  const double delay = scenario.delay_ms / 1000.0;
  for (const auto& series : kSeries) {
    const auto count = testing::FindValue(samples, "pping_rtt_seconds_count", series);
    ASSERT_TRUE(count) << "no RTT histogram for " << Describe(series);
    EXPECT_GE(*count, kMinSamples) << Describe(series);
    const auto median = testing::HistogramQuantile(samples, "pping_rtt_seconds", series, 0.5);
    ASSERT_TRUE(median) << Describe(series);
    EXPECT_NEAR(*median, delay, 0.1 * delay + 0.0005) << Describe(series);
    std::cout << "D=" << scenario.delay_ms << "ms " << Describe(series) << ": median " << *median * 1e3 << " ms over "
              << *count << " samples\n";
    const auto min = testing::FindValue(samples, "pping_rtt_min_seconds", series);
    ASSERT_TRUE(min) << Describe(series);
    EXPECT_GE(*min, delay) << "no RTT can be shorter than the injected delay: " << Describe(series);
  }
  // Two TCP connections (already running when the exporter attached) and
  // two ICMP pseudo-flows, each opened once.
  EXPECT_EQ(testing::FindValue(samples, "pping_flows_opened_total", {{"reason", "first_packet"}}), 4);
  EXPECT_EQ(testing::FindValue(samples, "pping_flows_tracked", {}), 4);
  EXPECT_EQ(testing::FindValue(samples, "pping_map_full_total", {{"map", "flow_state"}}), 0);
  const std::vector<uint32_t> programs = testing::ProgramIdsHeldBy(exporter.pid());
  EXPECT_FALSE(programs.empty());
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  EXPECT_FALSE(testing::AnyProgramStillLoaded(programs)) << "programs left behind after SIGTERM";
  const testing::Attached left = testing::AttachedTo(lab.client_netns(), "ppc0");
  EXPECT_FALSE(left.clsact) << "clsact qdisc left behind";
  EXPECT_FALSE(left.xdp) << "XDP program left behind";
  EXPECT_TRUE(left.tcx.empty()) << "TCX link left behind";
}

INSTANTIATE_TEST_SUITE_P(Delays, EndToEnd,
                         ::testing::Values(Scenario{10, "tcx"}, Scenario{40, "tcx"}, Scenario{25, "clsact"},
                                           Scenario{15, "tcx", "xdp"}),
                         [](const auto& info) {
                           return std::to_string(info.param.delay_ms) + "ms_" + info.param.attach_mode + "_" +
                                  info.param.ingress_hook;
                         });

// Starts the exporter on an interface of the lab and scrapes it once there
// is traffic to see.
std::vector<testing::Sample> RunAndScrape(const std::vector<std::string>& args) {
  const int port = testing::FreeLocalPort();
  std::vector<std::string> argv{testing::ExporterPath(), "--web.listen-address", "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::Process exporter(argv);
  // 3 s of traffic once attached: loading and attaching take longer on a
  // busy machine, and a scrape before the traffic has been seen finds none.
  EXPECT_TRUE(testing::WaitUntilReady(port)) << exporter.Output();
  std::this_thread::sleep_for(3s);
  const auto response = testing::HttpGet(port, "/metrics");
  EXPECT_TRUE(response) << exporter.Output();
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  return response ? testing::ParseExposition(response->body) : std::vector<testing::Sample>{};
}

double Scraped(int port, const std::string& name, const std::map<std::string, std::string>& labels) {
  return testing::FindValue(testing::ScrapeMetrics(port), name, labels).value_or(-1);
}

// Polls a metric until it has `want` (or a few seconds pass).
bool WaitForValue(int port, const std::string& name, const std::map<std::string, std::string>& labels, double want) {
  for (int i = 0; i < 50; ++i) {
    if (Scraped(port, name, labels) == want) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Re-attaching happens after the exporter has given up the capabilities it
// no longer needs: each attach mode must still be able to.
class Reattach : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(Reattach, InterfaceThatComesBackIsAttachedAgain) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"ppflap", 5ms});
  const int port = testing::FreeLocalPort();
  std::vector<std::string> flags{"--sampling.rate-limit", "10ms"};
  flags.insert(flags.end(), GetParam().begin(), GetParam().end());
  testing::Process exporter(
      testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), port, flags));
  const std::map<std::string, std::string> ppc0{{"interface", "ppc0"}};
  ASSERT_TRUE(WaitForValue(port, "pping_interface_present", ppc0, 1)) << exporter.Output();
  lab.RemoveLink();
  EXPECT_TRUE(WaitForValue(port, "pping_interface_present", ppc0, 0));
  lab.AddLink();
  EXPECT_TRUE(WaitForValue(port, "pping_interface_present", ppc0, 1));
  EXPECT_EQ(Scraped(port, "pping_interface_reattachments_total", ppc0), 1);
  // RTT samples flow again through the new attachment.
  const std::map<std::string, std::string> icmp{{"prefix", "192.0.2.0/24"}, {"protocol", "icmp"}};
  const double before = Scraped(port, "pping_rtt_seconds_count", icmp);
  std::this_thread::sleep_for(1500ms);
  EXPECT_GT(Scraped(port, "pping_rtt_seconds_count", icmp), before + 10);
  const std::vector<uint32_t> programs = testing::ProgramIdsHeldBy(exporter.pid());
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  EXPECT_NE(exit.output.find("ppc0 in netns " + lab.client_netns() + " disappeared"), std::string::npos) << exit.output;
  EXPECT_FALSE(testing::AnyProgramStillLoaded(programs));
  EXPECT_FALSE(testing::AttachedTo(lab.client_netns(), "ppc0").Anything());
}

INSTANTIATE_TEST_SUITE_P(Modes, Reattach,
                         ::testing::Values(std::vector<std::string>{"--attach.tc-mode", "tcx"},
                                           std::vector<std::string>{"--attach.tc-mode", "clsact"},
                                           std::vector<std::string>{"--attach.ingress-hook", "xdp"}),
                         [](const auto& info) { return info.param.back(); });

// Two interfaces in one process: each prefix's series carry the interface
// they were seen on (--aggregation.interface-label auto), so the lab link's
// server and the loopback's 127.0.0.2 are never mixed; with the label off,
// they are merged as before.
TEST(Links, SeveralInterfacesInOneProcess) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"ppmulti", 5ms});
  const auto run = [&](const std::vector<std::string>& extra) {
    testing::Process ping(
        {"ip", "netns", "exec", lab.client_netns(), "ping", "-q", "-i", "0.2", "-c", "40", "127.0.0.2"});
    std::vector<std::string> args{"--attach.netns",        lab.client_netns(),
                                  "--attach.interface",    lab.monitored_interface(),
                                  "--attach.interface",    "lo",
                                  "--sampling.rate-limit", "10ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunAndScrape(args);
  };
  const auto samples = run({});
  for (const char* iface : {"ppc0", "lo"}) {
    for (const char* hook : {"ingress", "egress"}) {
      EXPECT_EQ(testing::FindValue(samples, "pping_interface_attached", {{"interface", iface}, {"hook", hook}}), 1)
          << iface << " " << hook;
    }
  }
  EXPECT_GT(testing::FindValue(samples, "pping_rtt_seconds_count",
                               {{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}, {"interface", "ppc0"}})
                .value_or(0),
            0);
  EXPECT_GT(testing::FindValue(samples, "pping_rtt_seconds_count",
                               {{"prefix", "127.0.0.0/24"}, {"protocol", "icmp"}, {"interface", "lo"}})
                .value_or(0),
            0);
  EXPECT_EQ(
      testing::FindValue(samples, "pping_prefix_packets_total", {{"prefix", "192.0.2.0/24"}, {"interface", "lo"}}),
      std::nullopt);
  EXPECT_EQ(
      testing::FindValue(samples, "pping_prefix_packets_total", {{"prefix", "127.0.0.0/24"}, {"interface", "ppc0"}}),
      std::nullopt);
  for (const auto& sample : samples) {
    EXPECT_TRUE(!sample.labels.contains("prefix") || sample.labels.contains("interface")) << sample.name;
  }

  const auto merged = run({"--aggregation.interface-label", "off"});
  EXPECT_GT(testing::FindValue(merged, "pping_rtt_seconds_count", {{"prefix", "127.0.0.0/24"}, {"protocol", "icmp"}})
                .value_or(0),
            0);
  for (const auto& sample : merged)
    EXPECT_FALSE(sample.labels.contains("interface") && sample.labels.contains("prefix"));
}

TEST(Links, TunDeviceIsParsedFromTheIpHeader) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"ppl3", 5ms});
  // The delay line's TUN device carries the client's packets twice (into
  // the delay line and back out), IPv4 and IPv6, with no Ethernet header.
  const auto samples =
      RunAndScrape({"--attach.netns", lab.server_netns(), "--attach.interface", lab.delay_interface()});
  for (const char* direction : {"rx", "tx"}) {
    for (const char* proto : {"tcp", "icmp", "icmpv6"}) {
      EXPECT_GT(testing::FindValue(samples, "pping_packets_total", {{"direction", direction}, {"protocol", proto}}), 0)
          << direction << " " << proto;
    }
    EXPECT_EQ(testing::FindValue(samples, "pping_packets_total", {{"direction", direction}, {"protocol", "non_ip"}}),
              0);
  }
  EXPECT_EQ(testing::FindValue(samples, "pping_truncated_packets_total", {}), 0);
}

TEST(IncludeLocal, ReportsRttsMatchedOnEgressSeparately) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"pplocal", 5ms});
  const auto samples = RunAndScrape({"--attach.netns", lab.client_netns(), "--attach.interface",
                                     lab.monitored_interface(), "--sampling.include-local", "--sampling.rate-limit",
                                     "10ms", "--histogram.buckets-per-octave", "8"});
  const std::map<std::string, std::string> network{
      {"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}, {"matched_on", "ingress"}};
  const std::map<std::string, std::string> local{
      {"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}, {"matched_on", "egress"}};
  EXPECT_GT(testing::FindValue(samples, "pping_rtt_seconds_count", network).value_or(0), 0);
  // The client echoes the server's reply in its next request, ~10 ms later.
  EXPECT_GT(testing::FindValue(samples, "pping_rtt_seconds_count", local).value_or(0), 0);
  const auto local_median = testing::HistogramQuantile(samples, "pping_rtt_seconds", local, 0.5);
  ASSERT_TRUE(local_median);
  EXPECT_NEAR(*local_median, 0.010, 0.004);
}

}  // namespace
}  // namespace pping
