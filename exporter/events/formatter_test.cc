// SPDX-License-Identifier: Apache-2.0
// Golden output of every console format from fixed events and aggregates.
// Rewrite the golden files with:
//   PPING_UPDATE_GOLDEN=1 bazel run //exporter:events_format_test
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "exporter/error.h"
#include "exporter/events/aggregate_format.h"
#include "exporter/events/formatter.h"
#include "rtt_histogram.h"

namespace pping {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// 2026-11-25 12:00:00.123456789 UTC
const auto kTime = std::chrono::system_clock::time_point(
    std::chrono::duration_cast<std::chrono::system_clock::duration>(nanoseconds(1795694400123456789LL)));

EventFlow Flow(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t proto) {
  return {ParseAddress(src), sport, ParseAddress(dst), dport, proto};
}

std::vector<Event> SampleEvents() {
  return {
      FlowEvent{kTime, Flow("192.0.2.1", 40000, "192.0.2.2", 80, IPPROTO_TCP), true, "SYN-ACK", "dest"},
      RttEvent{kTime + milliseconds(5), Flow("192.0.2.1", 40000, "192.0.2.2", 80, IPPROTO_TCP), milliseconds(20),
               nanoseconds(19'876'543), 12, 15000, 10, 600, false},
      RttEvent{kTime + milliseconds(6), Flow("2001:db8:1::2", 7, "2001:db8:1::1", 7, IPPROTO_ICMPV6),
               nanoseconds(1'234'567), nanoseconds(1'000'000), 3, 192, 3, 192, true},
      FlowEvent{kTime + milliseconds(7), Flow("192.0.2.1", 40000, "192.0.2.2", 80, IPPROTO_TCP), false, "FIN", "src"},
      FlowEvent{kTime + milliseconds(8), Flow("192.0.2.1", 9, "192.0.2.2", 9, IPPROTO_ICMP), false, "flow timeout",
                "none"},
  };
}

std::string Render(const std::string& format) {
  auto formatter = MakeEventFormatter(format);
  std::string out = formatter->Begin();
  for (const auto& e : SampleEvents()) out += formatter->Format(e);
  return out + formatter->End();
}

std::string RenderAggregate(const std::string& format) {
  PrefixStats w;
  w.rx_packets = 40;
  w.rx_bytes = 6000;
  w.tx_packets = 42;
  w.tx_bytes = 6300;
  for (uint64_t us : {20'100, 20'200, 20'300, 25'000}) {
    w.rtt_buckets[pp_hist_bucket(us)]++;
    w.rtt_sum_ns += us * 1000;
  }
  w.rtt_count = 4;
  w.rtt_min_ns = 20'100'000;
  w.rtt_max_ns = 25'000'000;
  PrefixStats quiet;
  quiet.tx_packets = 1;
  quiet.tx_bytes = 60;
  auto formatter = MakeAggregateFormatter(format);
  // One call per statement: the formatter keeps state between calls.
  std::string out = formatter->Begin();
  out += formatter->Format({kTime, {ParseAddress("192.0.2.0"), 120, PP_PROTO_TCP, PP_DIR_INGRESS}, w});
  out += formatter->Format({kTime, {ParseAddress("2001:db8::"), 48, PP_PROTO_UDP, PP_DIR_INGRESS}, quiet});
  return out + formatter->End();
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = "exporter/events/testdata/" + name;
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (std::getenv("PPING_UPDATE_GOLDEN") && workspace) {
    std::ofstream(std::string(workspace) + "/" + path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << name;
}

class Formats : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);  // the standard format prints local time
    tzset();
  }
};

TEST_F(Formats, Standard) { ExpectGolden("events.standard", Render("standard")); }
TEST_F(Formats, Ppviz) { ExpectGolden("events.ppviz", Render("ppviz")); }
TEST_F(Formats, Json) { ExpectGolden("events.json", Render("json")); }
TEST_F(Formats, JsonLines) { ExpectGolden("events.jsonl", Render("jsonl")); }
TEST_F(Formats, AggregateStandard) { ExpectGolden("aggregate.standard", RenderAggregate("standard")); }
TEST_F(Formats, AggregateJson) { ExpectGolden("aggregate.json", RenderAggregate("json")); }
TEST_F(Formats, AggregateJsonLines) { ExpectGolden("aggregate.jsonl", RenderAggregate("jsonl")); }

TEST_F(Formats, PpvizShowsTcpRttsOnly) {
  const std::string out = Render("ppviz");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_NE(out.find("1795694400.128456789 0.020000 0.019877 12 15000 10 600 192.0.2.1:40000+192.0.2.2:80"),
            std::string::npos)
      << out;
}

TEST_F(Formats, EmptyJsonArrayIsValid) {
  auto formatter = MakeEventFormatter("json");
  std::string out = formatter->Begin();
  out += formatter->End();
  EXPECT_EQ(out, "[]\n");
}

TEST_F(Formats, JsonOutputsParse) {
  EXPECT_EQ(nlohmann::json::parse(Render("json")).size(), 5u);
  EXPECT_EQ(nlohmann::json::parse(RenderAggregate("json")).size(), 2u);
  std::istringstream lines(Render("jsonl"));
  int parsed = 0;
  for (std::string line; std::getline(lines, line); ++parsed) EXPECT_TRUE(nlohmann::json::parse(line).is_object());
  EXPECT_EQ(parsed, 5);
}

TEST_F(Formats, UnknownFormatsAreUsageErrors) {
  EXPECT_THROW(MakeEventFormatter("xml"), UsageError);
  EXPECT_THROW(MakeAggregateFormatter("ppviz"), UsageError);
}

}  // namespace
}  // namespace pping
