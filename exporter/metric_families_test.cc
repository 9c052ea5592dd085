// SPDX-License-Identifier: Apache-2.0
// Exposition output: names, labels, cumulative buckets, the golden file and
// the Content-Type served over HTTP.
#include "exporter/metric_families.h"

#include <civetweb.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "exporter/aggregator.h"
#include "exporter/error.h"
#include "exporter/http_server.h"
#include "exporter/prefix_exposition.h"
#include "rtt_histogram.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"

namespace pping {
namespace {

using testing::FindValue;
using testing::HistogramQuantile;
using testing::ParseExposition;

PrefixSnapshot TcpPrefix() {
  PrefixSnapshot p;
  p.key = {ParseAddress("192.0.2.0"), 120, PP_PROTO_TCP};
  PrefixStats& s = p.total;
  s.rx_packets = 10;
  s.rx_bytes = 1500;
  s.tx_packets = 12;
  s.tx_bytes = 1800;
  s.rtt_count = 4;
  s.rtt_sum_ns = 3'000 + 5'000 + 20'000'000 + 40'000'000;
  s.rtt_min_ns = 3'000;
  s.rtt_max_ns = 40'000'000;
  for (uint64_t ns : {3'000ull, 5'000ull, 20'000'000ull, 40'000'000ull}) s.rtt_buckets[pp_hist_bucket(ns / 1000)]++;
  p.last_rtt = {s.rtt_min_ns, s.rtt_max_ns};
  return p;
}

GlobalCounters SomeCounters() {
  GlobalCounters c;
  c.ip_packets[PP_DIR_INGRESS][PP_PROTO_TCP] = 10;
  c.ip_bytes[PP_DIR_INGRESS][PP_PROTO_TCP] = 1500;
  c.non_ip_packets[PP_DIR_EGRESS] = 2;
  c.ecn_packets[3] = 1;
  c.map_full[PP_MAP_FLOW_STATE] = 7;
  c.map_alloc_failed[PP_MAP_AGGREGATION] = 3;
  c.rtt_samples = 4;
  return c;
}

std::string Render(const std::vector<prometheus::MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

std::string RenderPrefixes(const std::vector<PrefixSnapshot>& prefixes, const RttBucketOptions& buckets = {}) {
  PrefixExposition exposition{RttBucketLayout(buckets)};
  TextBuffer text;
  exposition.Begin(text);
  for (uint32_t slot = 0; slot < prefixes.size(); ++slot) {
    exposition.Add(slot, prefixes[slot].key, prefixes[slot].total, prefixes[slot].last_rtt);
  }
  exposition.Finish();
  return std::string(text.view());
}

TEST(Exposition, ReusedWriterGivesTheSameTextEachScrape) {
  PrefixExposition exposition{RttBucketLayout(RttBucketOptions{})};
  TextBuffer first, second;
  for (TextBuffer* out : {&first, &second}) {
    exposition.Begin(*out);
    exposition.Add(0, TcpPrefix().key, TcpPrefix().total, TcpPrefix().last_rtt);
    exposition.Finish();
  }
  EXPECT_EQ(first.view(), second.view());
  EXPECT_EQ(first.view(), RenderPrefixes({TcpPrefix()}));
}

TEST(Exposition, ASlotGivenToAnotherPrefixIsLabelledAnew) {
  PrefixExposition exposition{RttBucketLayout(RttBucketOptions{})};
  PrefixSnapshot other = TcpPrefix();
  other.key = {ParseAddress("2001:db8:7::"), 48, PP_PROTO_ICMPV6, PP_DIR_EGRESS};
  TextBuffer first, second;
  for (auto [out, p] : {std::pair{&first, TcpPrefix()}, std::pair{&second, other}}) {
    exposition.Begin(*out);
    exposition.Add(3, p.key, p.total, p.last_rtt);
    exposition.Finish();
  }
  EXPECT_EQ(second.view(), RenderPrefixes({other}));
  const auto samples = ParseExposition(std::string(second.view()));
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count", {{"prefix", "192.0.2.0/24"}}), std::nullopt);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count",
                      {{"prefix", "2001:db8:7::/48"}, {"protocol", "icmpv6"}, {"matched_on", "egress"}}),
            4);
}

TEST(Exposition, LabelsDroppedWithTheirSlotsAreFormattedAgain) {
  PrefixExposition exposition{RttBucketLayout(RttBucketOptions{})};
  const PrefixSnapshot p = TcpPrefix();
  TextBuffer first, second;
  for (TextBuffer* out : {&first, &second}) {
    exposition.Begin(*out);
    exposition.Add(3, p.key, p.total, p.last_rtt);
    exposition.Finish();
    exposition.KeepLabelsFor(2);  // slot 3 was given back
  }
  EXPECT_EQ(second.view(), RenderPrefixes({p}));
}

std::string RenderAll() {
  std::vector<prometheus::MetricFamily> families = GlobalFamilies(SomeCounters());
  for (auto& f : ExporterFamilies(
           {{{{"eth0", "ingress", "tcx"}, {"eth0", "egress", "tcx"}}, {{"eth0", true, 0}, {"wg0", false, 2}}},
            {16384, 8192, 4096},
            3,
            1,
            0}))
    families.push_back(f);
  return RenderPrefixes({TcpPrefix()}) + Render(families);
}

TEST(Exposition, HistogramIsCumulativeInSeconds) {
  const auto samples = ParseExposition(RenderPrefixes({TcpPrefix()}));
  const std::map<std::string, std::string> series{{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}};
  // 3 us and 5 us both fold into the first bucket (le 32 us by default).
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_bucket", {{"prefix", "192.0.2.0/24"}, {"le", "0.000032"}}), 2);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_bucket", {{"prefix", "192.0.2.0/24"}, {"le", "0.016384"}}), 2);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_bucket", {{"prefix", "192.0.2.0/24"}, {"le", "0.024576"}}), 3);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_bucket", {{"prefix", "192.0.2.0/24"}, {"le", "+Inf"}}), 4);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count", series), 4);
  EXPECT_NEAR(*FindValue(samples, "pping_rtt_seconds_sum", series), 0.060008, 1e-9);
  EXPECT_EQ(FindValue(samples, "pping_rtt_min_seconds", series), 3e-6);
  EXPECT_EQ(FindValue(samples, "pping_rtt_max_seconds", series), 0.04);
  // The 75th percentile lies in the exported bucket holding 20 ms.
  const double p75 = *HistogramQuantile(samples, "pping_rtt_seconds", series, 0.75);
  EXPECT_GT(p75, 0.016384);
  EXPECT_LE(p75, 0.024576);
  double previous = 0;
  for (const auto& s : samples) {
    if (s.name != "pping_rtt_seconds_bucket") continue;
    EXPECT_GE(s.value, previous) << "le " << s.labels.at("le");
    previous = s.value;
  }
}

TEST(Exposition, FinestLayoutExportsEveryKernelBucket) {
  const auto samples = ParseExposition(RenderPrefixes({TcpPrefix()}, {8, 1e-6, 33.6}));
  int buckets = 0;
  for (const auto& s : samples) buckets += s.name == "pping_rtt_seconds_bucket";
  EXPECT_EQ(buckets, PP_HIST_BUCKETS) << "every finite kernel bound plus +Inf";
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_bucket", {{"le", "0.000003"}}), 0);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_bucket", {{"le", "0.000004"}}), 1);
  const std::map<std::string, std::string> series{{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}};
  EXPECT_NEAR(*HistogramQuantile(samples, "pping_rtt_seconds", series, 0.75), 0.020, 0.0025);
}

TEST(Exposition, TrafficCountersPerPrefixAndDirection) {
  const auto samples = ParseExposition(RenderPrefixes({TcpPrefix()}));
  EXPECT_EQ(FindValue(samples, "pping_prefix_packets_total", {{"direction", "rx"}, {"protocol", "tcp"}}), 10);
  EXPECT_EQ(FindValue(samples, "pping_prefix_bytes_total", {{"direction", "tx"}, {"prefix", "192.0.2.0/24"}}), 1800);
}

TEST(Exposition, PrefixWithoutRttHasTrafficButNoHistogram) {
  PrefixSnapshot quiet;
  quiet.key = {ParseAddress("2001:db8::"), 48, PP_PROTO_UDP};
  quiet.total.tx_packets = 3;
  const auto samples = ParseExposition(RenderPrefixes({quiet}));
  EXPECT_EQ(FindValue(samples, "pping_prefix_packets_total", {{"prefix", "2001:db8::/48"}, {"protocol", "udp"}}), 0);
  EXPECT_FALSE(FindValue(samples, "pping_rtt_seconds_count", {}));
}

TEST(Exposition, LocalRttsHaveTheirOwnSeriesAndNoTraffic) {
  PrefixSnapshot local = TcpPrefix();
  local.key.matched_on = PP_DIR_EGRESS;
  const auto samples = ParseExposition(RenderPrefixes({TcpPrefix(), local}));
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count", {{"matched_on", "egress"}}), 4);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count", {{"matched_on", "ingress"}}), 4);
  int traffic_series = 0;
  for (const auto& s : samples) traffic_series += s.name == "pping_prefix_packets_total";
  EXPECT_EQ(traffic_series, 2) << "rx and tx once, from the ingress-matched key only";
}

TEST(Exposition, FlowCountersJoinKernelAndCleanup) {
  GlobalCounters c;
  c.flows_opened[PP_OPEN_SYN_ACK] = 5;
  c.flows_closed[PP_CLOSE_FIN][1] = 3;
  c.flows_closed[PP_CLOSE_TIMEOUT][0] = 0;  // the kernel never times flows out
  c.stamps_burst = 6;
  CleanupStats cleanup;
  cleanup.flows_timed_out[0] = 2;
  cleanup.flows_tracked = 9;
  cleanup.timestamps_expired = 4;
  const auto samples = ParseExposition(Render(FlowFamilies(c, cleanup)));
  EXPECT_EQ(FindValue(samples, "pping_flows_opened_total", {{"reason", "syn_ack"}}), 5);
  EXPECT_EQ(FindValue(samples, "pping_flows_closed_total", {{"reason", "fin"}, {"bidirectional", "true"}}), 3);
  EXPECT_EQ(FindValue(samples, "pping_flows_closed_total", {{"reason", "timeout"}, {"bidirectional", "false"}}), 2);
  EXPECT_EQ(FindValue(samples, "pping_flows_tracked", {}), 9);
  EXPECT_EQ(FindValue(samples, "pping_timestamps_expired_total", {}), 4);
  EXPECT_EQ(FindValue(samples, "pping_stamps_burst_total", {}), 6);
}

TEST(Exposition, GlobalCountersAndHealth) {
  const auto samples = ParseExposition(RenderAll());
  EXPECT_EQ(FindValue(samples, "pping_packets_total", {{"direction", "ingress"}, {"protocol", "tcp"}}), 10);
  EXPECT_EQ(FindValue(samples, "pping_packets_total", {{"direction", "egress"}, {"protocol", "non_ip"}}), 2);
  EXPECT_EQ(FindValue(samples, "pping_ecn_packets_total", {{"codepoint", "ce"}}), 1);
  EXPECT_EQ(FindValue(samples, "pping_map_full_total", {{"map", "flow_state"}}), 7);
  EXPECT_EQ(FindValue(samples, "pping_map_alloc_failures_total", {{"map", "aggregation"}}), 3);
  EXPECT_EQ(FindValue(samples, "pping_map_alloc_failures_total", {{"map", "flow_state"}}), 0);
  EXPECT_EQ(FindValue(samples, "pping_rtt_samples_total", {}), 4);
  EXPECT_EQ(FindValue(samples, "pping_interface_attached", {{"interface", "eth0"}, {"hook", "egress"}}), 1);
  EXPECT_EQ(FindValue(samples, "pping_exporter_build_info", {}), 1);
  EXPECT_EQ(FindValue(samples, "pping_interface_present", {{"interface", "wg0"}}), 0);
  EXPECT_EQ(FindValue(samples, "pping_map_capacity", {{"map", "flow_state"}}), 8192);
  EXPECT_EQ(FindValue(samples, "pping_interface_reattachments_total", {{"interface", "wg0"}}), 2);
}

// Set PPING_UPDATE_GOLDEN=1 with `bazel run` to rewrite the golden file.
TEST(Exposition, MatchesGoldenFile) {
  const std::string golden_path = "exporter/testdata/exposition.golden";
  const std::string actual = RenderAll();
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (std::getenv("PPING_UPDATE_GOLDEN") && workspace) {
    std::ofstream(std::string(workspace) + "/" + golden_path) << actual;
    GTEST_SKIP() << "golden file rewritten";
  }
  std::ifstream in(golden_path);
  ASSERT_TRUE(in) << "missing " << golden_path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "update with: PPING_UPDATE_GOLDEN=1 bazel run //exporter:metric_families_test";
}

class FixedSource : public ExpositionSource {
 public:
  void AppendExposition(ExpositionStream& out) override { out.text() += RenderPrefixes({TcpPrefix()}); }
};

// Many lines, yielding after each: the body leaves in several pieces.
class LargeSource : public ExpositionSource {
 public:
  // Lines of ~30 bytes: over five pieces.
  static constexpr int kLines = static_cast<int>(5 * ExpositionStream::kPieceBytes / 25);
  void AppendExposition(ExpositionStream& out) override {
    out.text() += "# TYPE pping_test_line gauge\n";
    for (int i = 0; i < kLines; ++i) {
      out.text() += "pping_test_line{n=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
      out.Yield();
    }
  }
  static std::string Expected() {
    TextBuffer text;
    ExpositionStream whole(
        text, [](std::string_view) { return true; }, SIZE_MAX);
    LargeSource().AppendExposition(whole);
    return std::string(text.view());
  }
};

TEST(HttpServer, StreamsALargeBodyWholeToHttp10AndChunkedToHttp11) {
  HttpServer server("127.0.0.1:0", "/metrics");
  auto source = std::make_shared<LargeSource>();
  server.AddSource(source);
  const std::string expected = LargeSource::Expected();
  ASSERT_GT(expected.size(), 4 * ExpositionStream::kPieceBytes);
  const auto v10 = testing::HttpGet(server.port(), "/metrics");
  ASSERT_TRUE(v10);
  EXPECT_EQ(v10->status, 200);
  EXPECT_EQ(v10->Header("Transfer-Encoding"), "");
  EXPECT_EQ(v10->body, expected);
  const auto v11 = testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_1);
  ASSERT_TRUE(v11) << "the chunked body is malformed or misses its last chunk";
  EXPECT_EQ(v11->Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(v11->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(v11->body, expected);
}

TEST(HttpServer, ServesExpositionWithVersionedContentType) {
  HttpServer server("127.0.0.1:0", "/custom-metrics");
  auto source = std::make_shared<FixedSource>();
  server.AddSource(source);
  ASSERT_GT(server.port(), 0);
  const auto metrics = testing::HttpGet(server.port(), "/custom-metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(
      metrics->body.find("pping_rtt_seconds_count{prefix=\"192.0.2.0/24\",protocol=\"tcp\",matched_on=\"ingress\"} 4"),
      std::string::npos);
  const auto landing = testing::HttpGet(server.port(), "/");
  ASSERT_TRUE(landing);
  EXPECT_NE(landing->body.find("href=\"/custom-metrics\""), std::string::npos);
}

TEST(HttpServer, HealthyAtOnceReadyWhenToldSo) {
  HttpServer server("127.0.0.1:0", "/metrics");
  EXPECT_EQ(testing::HttpGet(server.port(), "/-/healthy")->status, 200);
  EXPECT_EQ(testing::HttpGet(server.port(), "/-/ready")->status, 503);
  server.SetReady(true);
  const auto ready = testing::HttpGet(server.port(), "/-/ready");
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "Ready\n");
}

TEST(HttpServer, PortInUseIsAUsageError) {
  HttpServer first("127.0.0.1:0", "/metrics");
  EXPECT_THROW(HttpServer("127.0.0.1:" + std::to_string(first.port()), "/metrics"), UsageError);
}

TEST(HttpServer, Ipv6ListenAddressNeedsCivetwebWithIpv6) {
  if (mg_check_feature(8)) {
    HttpServer server("[::1]:0", "/metrics");
    EXPECT_GT(server.port(), 0);
  } else {
    EXPECT_THROW(HttpServer("[::1]:0", "/metrics"), UsageError);
  }
}

TEST(HttpServer, ListenAddressConversion) {
  EXPECT_EQ(CivetListeningPort(":9789"), "9789");
  EXPECT_EQ(CivetListeningPort("127.0.0.1:9789"), "127.0.0.1:9789");
  EXPECT_EQ(CivetListeningPort("[::1]:9789"), "[::1]:9789");
}

}  // namespace
}  // namespace pping
