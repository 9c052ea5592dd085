// SPDX-License-Identifier: Apache-2.0
// Merging statistics: counts add up, and min/max combine only over the
// sides that had samples; the key's hash tells keys apart.
#include "exporter/stats/prefix_stats.h"

#include <gtest/gtest.h>

#include "bpf/abi/rtt_histogram.h"

namespace pping {
namespace {

PrefixStats Rtt(uint64_t ns) {
  PrefixStats s;
  s.rx_packets = 1;
  s.rx_bytes = 100;
  s.rtt_count = 1;
  s.rtt_sum_ns = ns;
  s.rtt_min_ns = s.rtt_max_ns = ns;
  s.rtt_buckets[pp_hist_bucket(ns / 1000)] = 1;
  return s;
}

TEST(PrefixStats, MergeIgnoresMinimumOfEmptyIntervals) {
  PrefixStats a = Rtt(7'000'000);
  PrefixStats empty;
  a.Merge(empty);
  EXPECT_EQ(a.rtt_min_ns, 7'000'000u);
  empty.Merge(Rtt(9'000'000));
  EXPECT_EQ(empty.rtt_min_ns, 9'000'000u);
}

TEST(PrefixStats, MergeAddsCountsAndCombinesTheRange) {
  PrefixStats a = Rtt(7'000'000);
  a.Merge(Rtt(3'000'000));
  a.Merge(Rtt(12'000'000));
  EXPECT_EQ(a.rtt_count, 3u);
  EXPECT_EQ(a.rx_packets, 3u);
  EXPECT_EQ(a.rtt_sum_ns, 22'000'000u);
  EXPECT_EQ(a.rtt_min_ns, 3'000'000u);
  EXPECT_EQ(a.rtt_max_ns, 12'000'000u);
  uint64_t samples = 0;
  for (const uint64_t n : a.rtt_buckets) samples += n;
  EXPECT_EQ(samples, 3u);
}

// The kernel's per-CPU value has the same fields, in its own types.
TEST(PrefixStats, MergeTakesTheKernelsRecordToo) {
  pp_agg_stats cpu{};
  cpu.tx_packets = 2;
  cpu.rtt_count = 1;
  cpu.rtt_min_ns = cpu.rtt_max_ns = cpu.rtt_sum_ns = 5'000'000;
  cpu.rtt_buckets[pp_hist_bucket(5'000)] = 1;
  cpu.rx_retransmits = 4;
  cpu.tx_retransmits = 5;
  cpu.tx_spurious_retransmits = 7;
  PrefixStats a = Rtt(7'000'000);
  a.tx_retransmits = 1;
  a.Merge(cpu);
  EXPECT_EQ(a.tx_packets, 2u);
  EXPECT_EQ(a.rx_retransmits, 4u);
  EXPECT_EQ(a.tx_retransmits, 6u);
  EXPECT_EQ(a.tx_spurious_retransmits, 7u);
  EXPECT_EQ(a.rtt_min_ns, 5'000'000u);
  EXPECT_EQ(a.rtt_count, 2u);
}

TEST(PrefixKeyHash, TellsTheFieldsApart) {
  const PrefixKeyHash hash;
  PrefixKey a{ParseAddress("192.0.2.0"), 120, PP_PROTO_TCP, PP_DIR_INGRESS};
  PrefixKey b = a, c = a, d = a;
  b.proto_class = PP_PROTO_ICMP;
  c.matched_on = PP_DIR_EGRESS;
  d.prefix = ParseAddress("192.0.3.0");
  EXPECT_NE(hash(a), hash(b));
  EXPECT_NE(hash(a), hash(c));
  EXPECT_NE(hash(a), hash(d));
  EXPECT_EQ(hash(a), hash(PrefixKey(a)));
}

}  // namespace
}  // namespace pping
