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

#include "exporter/lab/command.h"
#include "exporter/lab/lab.h"
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
  const char* attach_mode;
};

class EndToEnd : public ::testing::TestWithParam<Scenario> {};

TEST_P(EndToEnd, MedianRttMatchesInjectedDelay) {
  PPING_SKIP_UNLESS_ROOT();
  const Scenario scenario = GetParam();
  Lab lab({"ppe2e", std::chrono::milliseconds(scenario.delay_ms)});
  const int port = testing::FreeLocalPort();
  testing::Process exporter({testing::ExporterPath(), "--netns", lab.client_netns(), "--interface",
                             lab.monitored_interface(), "--web.listen-address", "127.0.0.1:" + std::to_string(port),
                             "--aggregation.interval-ms", "250", "--tc.attach-mode", scenario.attach_mode,
                             "--rate-limit", "10"});
  const auto samples = ScrapeWhenReady(port);
  ASSERT_TRUE(exporter.Running()) << exporter.Output();
  EXPECT_EQ(testing::FindValue(samples, "pping_interface_attached",
                               {{"interface", "ppc0"}, {"mode", scenario.attach_mode}}),
            1);
  const double delay = scenario.delay_ms / 1000.0;
  for (const auto& series : kSeries) {
    const auto count = testing::FindValue(samples, "pping_rtt_seconds_count", series);
    ASSERT_TRUE(count) << "no RTT histogram for " << Describe(series);
    EXPECT_GE(*count, kMinSamples) << Describe(series);
    const auto median = testing::HistogramQuantile(samples, "pping_rtt_seconds", series, 0.5);
    ASSERT_TRUE(median) << Describe(series);
    EXPECT_NEAR(*median, delay, 0.1 * delay + 0.0005) << Describe(series);
    std::cout << "D=" << scenario.delay_ms << "ms " << Describe(series) << ": median " << *median * 1e3
              << " ms over " << *count << " samples\n";
    const auto min = testing::FindValue(samples, "pping_rtt_min_seconds", series);
    ASSERT_TRUE(min) << Describe(series);
    EXPECT_GE(*min, delay) << "no RTT can be shorter than the injected delay: " << Describe(series);
  }
  // Two TCP connections (already running when the exporter attached) and
  // two ICMP pseudo-flows, each opened once.
  EXPECT_EQ(testing::FindValue(samples, "pping_flows_opened_total", {{"reason", "first_packet"}}), 4);
  EXPECT_EQ(testing::FindValue(samples, "pping_flows_tracked", {}), 4);
  EXPECT_EQ(testing::FindValue(samples, "pping_map_full_total", {{"map", "flow_state"}}), 0);
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  EXPECT_FALSE(testing::PpingProgramsRemain()) << "programs left behind after SIGTERM";
  const auto filters = RunCommand({"tc", "-n", lab.client_netns(), "qdisc", "show", "dev", "ppc0"});
  EXPECT_EQ(filters.output.find("clsact"), std::string::npos) << "clsact qdisc left behind: " << filters.output;
}

INSTANTIATE_TEST_SUITE_P(Delays, EndToEnd,
                         ::testing::Values(Scenario{10, "tcx"}, Scenario{40, "tcx"}, Scenario{25, "clsact"}),
                         [](const auto& info) {
                           return std::to_string(info.param.delay_ms) + "ms_" + info.param.attach_mode;
                         });

}  // namespace
}  // namespace pping
