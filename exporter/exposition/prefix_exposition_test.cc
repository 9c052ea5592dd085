// SPDX-License-Identifier: Apache-2.0
// The per-prefix families as a scrape writes them: cumulative buckets in
// seconds, traffic counters, label text kept by slot across scrapes.
#include "exporter/exposition/prefix_exposition.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "exporter/exposition/exposition_fixtures.h"
#include "exporter/exposition/text_buffer.h"
#include "tests/support/exposition.h"

namespace pping {
namespace {

using testing::FindValue;
using testing::HistogramQuantile;
using testing::ParseExposition;
using testing::RenderPrefixes;
using testing::TcpPrefix;
using testing::WritePrefixes;

TEST(Exposition, ReusedWriterGivesTheSameTextEachScrape) {
  PrefixExposition exposition{RttBucketLayout(RttBucketOptions{})};
  TextBuffer first, second;
  for (TextBuffer* out : {&first, &second}) WritePrefixes(exposition, *out, {{0, TcpPrefix()}});
  EXPECT_EQ(first.view(), second.view());
  EXPECT_EQ(first.view(), RenderPrefixes({TcpPrefix()}));
}

TEST(Exposition, ASlotGivenToAnotherPrefixIsLabelledAnew) {
  PrefixExposition exposition{RttBucketLayout(RttBucketOptions{})};
  PrefixSnapshot other = TcpPrefix();
  other.key = {ParseAddress("2001:db8:7::"), 48, PP_PROTO_ICMPV6, PP_DIR_EGRESS};
  TextBuffer first, second;
  for (auto [out, p] : {std::pair{&first, TcpPrefix()}, std::pair{&second, other}}) {
    WritePrefixes(exposition, *out, {{3, p}});
  }
  EXPECT_EQ(second.view(), RenderPrefixes({other}));
  const auto samples = ParseExposition(std::string(second.view()));
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count", {{"prefix", "192.0.2.0/24"}}), std::nullopt);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count",
                      {{"prefix", "2001:db8:7::/48"}, {"protocol", "icmpv6"}, {"matched_on", "egress"}}),
            4);
}

// A prefix kept per interface carries the interface's name (escaped: a
// Linux interface name may hold quotes); one no longer known, its index.
TEST(Exposition, PrefixesKeptPerInterfaceNameIt) {
  PrefixExposition exposition{RttBucketLayout(RttBucketOptions{}), true,
                              [](uint32_t ifindex) { return ifindex == 2 ? std::string("eth\"0") : std::string(); }};
  PrefixSnapshot on_eth0 = TcpPrefix();
  on_eth0.key.ifindex = 2;
  PrefixSnapshot on_gone = TcpPrefix();
  on_gone.key.ifindex = 7;
  TextBuffer out;
  WritePrefixes(exposition, out, {{0, on_eth0}, {1, on_gone}, {2, TcpPrefix()}});
  const std::string text(out.view());
  EXPECT_NE(text.find("pping_prefix_packets_total{prefix=\"192.0.2.0/24\",protocol=\"tcp\",interface=\"eth\\\"0\","),
            std::string::npos)
      << text;
  const auto samples = ParseExposition(text);
  EXPECT_EQ(FindValue(samples, "pping_rtt_seconds_count", {{"prefix", "192.0.2.0/24"}, {"interface", "ifindex7"}}), 4);
  size_t without = 0;
  for (const auto& sample : samples)
    without += sample.name == "pping_rtt_seconds_count" && !sample.labels.contains("interface");
  EXPECT_EQ(without, 1u) << "a prefix not kept per interface has no interface label";
}

TEST(Exposition, LabelsDroppedWithTheirSlotsAreFormattedAgain) {
  PrefixExposition exposition{RttBucketLayout(RttBucketOptions{})};
  const PrefixSnapshot p = TcpPrefix();
  TextBuffer first, second;
  for (TextBuffer* out : {&first, &second}) {
    WritePrefixes(exposition, *out, {{3, p}});
    exposition.KeepLabelsFor(2);  // slot 3 was given back
  }
  EXPECT_EQ(second.view(), RenderPrefixes({p}));
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

TEST(Exposition, RetransmissionsPerTcpPrefixAndDirection) {
  const auto samples = ParseExposition(RenderPrefixes({TcpPrefix()}));
  const std::map<std::string, std::string> prefix{{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}};
  auto with = [&prefix](const char* direction) {
    auto labels = prefix;
    labels["direction"] = direction;
    return labels;
  };
  EXPECT_EQ(FindValue(samples, "pping_prefix_retransmits_total", with("rx")), 2);
  EXPECT_EQ(FindValue(samples, "pping_prefix_retransmits_total", with("tx")), 3);
  EXPECT_EQ(FindValue(samples, "pping_prefix_spurious_retransmits_total", with("rx")), std::nullopt)
      << "arriving retransmissions are not judged";
  EXPECT_EQ(FindValue(samples, "pping_prefix_spurious_retransmits_total", with("tx")), 1);
}

TEST(Exposition, RetransmissionsOnlyForTcpAndOnlyWhenCounted) {
  PrefixSnapshot udp;
  udp.key = {ParseAddress("2001:db8::"), 48, PP_PROTO_UDP};
  udp.total.tx_packets = 3;
  int series = 0;
  for (const auto& s : ParseExposition(RenderPrefixes({udp}))) series += s.name == "pping_prefix_retransmits_total";
  EXPECT_EQ(series, 0) << "UDP has no retransmissions to count";

  PrefixExposition off{RttBucketLayout(RttBucketOptions{}), /*retransmits=*/false};
  TextBuffer text;
  WritePrefixes(off, text, {{0, TcpPrefix()}});
  EXPECT_EQ(std::string(text.view()).find("retransmits"), std::string::npos)
      << "with --no-tcp.retransmits the families are left out, not shown as zeros";
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

}  // namespace
}  // namespace pping
