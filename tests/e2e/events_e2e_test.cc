// SPDX-License-Identifier: Apache-2.0
// The event stream end to end: the exporter in the lab writes jsonl (and
// json) to a file while serving /metrics; every line parses, the RTTs match
// the injected delay, and SIGHUP reopens the file after it was moved.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/lab/lab.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/json_lines.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kDelay = 20ms;

using testing::ReadJsonLines;
using testing::TempPath;

double MedianRttSeconds(const std::vector<json>& events, const std::string& protocol) {
  std::vector<double> rtts;
  for (const auto& e : events) {
    if (e.contains("rtt") && e["protocol"] == protocol) rtts.push_back(e["rtt"].get<double>() / 1e9);
  }
  if (rtts.empty()) return -1;
  std::nth_element(rtts.begin(), rtts.begin() + rtts.size() / 2, rtts.end());
  return rtts[rtts.size() / 2];
}

void ExpectRttsMatchDelay(const std::vector<json>& events) {
  const double d = std::chrono::duration<double>(kDelay).count();
  for (const char* protocol : {"TCP", "ICMP", "ICMPv6"}) {
    EXPECT_NEAR(MedianRttSeconds(events, protocol), d, 0.1 * d + 0.0005) << protocol;
  }
}

testing::Process StartExporter(const Lab& lab, int port, const std::vector<std::string>& output_flags) {
  std::vector<std::string> flags{"--sampling.rate-limit", "10ms"};
  flags.insert(flags.end(), output_flags.begin(), output_flags.end());
  testing::Process exporter(
      testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), port, flags));
  // The tests' traffic windows start once the programs are attached: on a
  // busy machine loading them can take a good part of a window.
  EXPECT_TRUE(testing::WaitUntilReady(port)) << exporter.Output();
  return exporter;
}

TEST(EventStream, JsonLinesParseMatchTheDelayAndSurviveRotation) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"ppevents", kDelay});
  const std::string path = TempPath("events.jsonl"), rotated = path + ".1";
  std::remove(path.c_str());
  std::remove(rotated.c_str());
  const int port = testing::FreeLocalPort();
  testing::Process exporter = StartExporter(lab, port, {"--output.format", "jsonl", "--output.write", path});
  std::this_thread::sleep_for(3s);
  // /metrics runs in the same process, and nothing was dropped.
  const auto samples = testing::ScrapeMetrics(port);
  EXPECT_GT(testing::FindValue(samples, "pping_rtt_samples_total", {}).value_or(0), 50);
  EXPECT_EQ(testing::FindValue(samples, "pping_events_lost_total", {}), 0);
  ASSERT_EQ(std::rename(path.c_str(), rotated.c_str()), 0);
  kill(exporter.pid(), SIGHUP);
  std::this_thread::sleep_for(1500ms);
  const auto exit = exporter.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  const std::vector<json> before = ReadJsonLines(rotated), after = ReadJsonLines(path);
  EXPECT_GT(before.size(), 100u);
  EXPECT_GT(after.size(), 20u) << "nothing written after SIGHUP reopened the file";
  ExpectRttsMatchDelay(before);
  const bool opened =
      std::any_of(before.begin(), before.end(), [](const json& e) { return e.value("flow_event", "") == "opening"; });
  EXPECT_TRUE(opened);
}

TEST(EventStream, JsonArrayParsesAsAWhole) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"ppevents", kDelay});
  const std::string path = TempPath("events.json");
  testing::Process exporter =
      StartExporter(lab, testing::FreeLocalPort(), {"--output.format", "json", "--output.write", path});
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(exporter.Terminate().code, 0);
  std::ifstream in(path);
  json events;
  ASSERT_NO_THROW(events = json::parse(in));
  ASSERT_TRUE(events.is_array());
  ExpectRttsMatchDelay(std::vector<json>(events.begin(), events.end()));
}

TEST(EventStream, AggregatedViewComesFromTheSameState) {
  PPING_SKIP_UNLESS_ROOT();
  Lab lab({"ppevents", kDelay});
  const std::string path = TempPath("aggregate.jsonl");
  std::remove(path.c_str());
  testing::Process exporter = StartExporter(
      lab, testing::FreeLocalPort(), {"--output.aggregate", "1s", "--output.format", "jsonl", "--output.write", path});
  std::this_thread::sleep_for(3500ms);  // at least two full 1 s intervals
  EXPECT_EQ(exporter.Terminate().code, 0);
  const double d = std::chrono::duration<double>(kDelay).count();
  int tcp_records = 0;
  for (const json& r : ReadJsonLines(path)) {
    if (r["prefix"] != "192.0.2.0/24" || r["protocol"] != "tcp" || r["rtt_count"] == 0) continue;
    ++tcp_records;
    EXPECT_NEAR(r["rtt_median"].get<double>(), d, 0.1 * d + 0.0005);
    EXPECT_GE(r["rtt_min"].get<double>(), d);
    EXPECT_GT(r["rx_packets"].get<int>(), 0);
  }
  EXPECT_GE(tcp_records, 2);
}

}  // namespace
}  // namespace pping
