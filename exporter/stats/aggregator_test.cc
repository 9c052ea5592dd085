// SPDX-License-Identifier: Apache-2.0
// The double-buffer drain against a fake pair of kernel instances.
#include "exporter/stats/aggregator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "bpf/abi/rtt_histogram.h"
#include "exporter/stats/fake_aggregation_source.h"

namespace pping {
namespace {

PrefixKey Key(uint8_t last_byte, uint8_t proto = PP_PROTO_TCP) {
  PrefixKey key;
  key.prefix = ParseAddress("192.0.2." + std::to_string(last_byte));
  key.prefix_len = 120;
  key.proto_class = proto;
  return key;
}

PrefixStats Rtt(uint64_t ns, uint64_t packets = 1) {
  PrefixStats s;
  s.rx_packets = packets;
  s.rx_bytes = 100 * packets;
  s.rtt_count = 1;
  s.rtt_sum_ns = ns;
  s.rtt_min_ns = s.rtt_max_ns = ns;
  s.rtt_buckets[pp_hist_bucket(ns / 1000)] = 1;
  return s;
}

TEST(Aggregator, SyncEmptiesBothInstancesIntoTotals) {
  FakeInstances kernel;
  Aggregator aggregator(kernel);
  kernel.Write(Key(1), Rtt(10'000'000));
  aggregator.Sync();
  EXPECT_TRUE(kernel.Empty());
  EXPECT_EQ(kernel.flips, 1);
  const auto snapshot = aggregator.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].total.rtt_count, 1u);
  EXPECT_EQ(snapshot[0].total.rx_packets, 1u);
}

TEST(Aggregator, TotalsOnlyGrowAcrossIntervals) {
  FakeInstances kernel;
  Aggregator aggregator(kernel);
  kernel.Write(Key(1), Rtt(10'000'000, 3));
  aggregator.Sync();
  kernel.Write(Key(1), Rtt(30'000'000, 2));
  kernel.Write(Key(2, PP_PROTO_ICMP), Rtt(5'000'000));
  aggregator.Sync();
  const auto snapshot = aggregator.Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  const PrefixStats& total = snapshot[0].key == Key(1) ? snapshot[0].total : snapshot[1].total;
  EXPECT_EQ(total.rx_packets, 5u);
  EXPECT_EQ(total.rtt_count, 2u);
  EXPECT_EQ(total.rtt_sum_ns, 40'000'000u);
  EXPECT_EQ(total.rtt_min_ns, 10'000'000u);
  EXPECT_EQ(total.rtt_max_ns, 30'000'000u);
}

TEST(Aggregator, LatestIntervalKeepsItsOwnMinimum) {
  FakeInstances kernel;
  Aggregator aggregator(kernel);
  kernel.Write(Key(1), Rtt(10'000'000));
  aggregator.Sync();
  kernel.Write(Key(1), Rtt(25'000'000));
  aggregator.Sync();
  PrefixStats traffic_only;
  traffic_only.tx_packets = 4;
  kernel.Write(Key(1), traffic_only);  // an interval without RTT samples
  aggregator.Sync();
  const auto snapshot = aggregator.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].last_rtt.min_ns, 25'000'000u);
  EXPECT_EQ(snapshot[0].total.rtt_min_ns, 10'000'000u);
  EXPECT_EQ(snapshot[0].total.tx_packets, 4u);
}

TEST(Aggregator, WritesBetweenSyncsAreNeverLost) {
  FakeInstances kernel;
  Aggregator aggregator(kernel);
  uint64_t written = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i <= round % 4; ++i, ++written) kernel.Write(Key(round % 3), Rtt(1'000'000));
    aggregator.Sync();
  }
  uint64_t seen = 0;
  for (const auto& p : aggregator.Snapshot()) seen += p.total.rtt_count;
  EXPECT_EQ(seen, written);
  EXPECT_EQ(aggregator.syncs(), 50u);
}

TEST(Aggregator, ForgetsPrefixesIdleLongerThanTheExpiry) {
  FakeInstances kernel;
  auto now = std::chrono::steady_clock::time_point{};
  Aggregator aggregator(kernel, {.expiry = std::chrono::seconds(60)}, [&] { return now; });
  kernel.Write(Key(1), Rtt(1'000'000));
  kernel.Write(Key(2), Rtt(1'000'000));
  aggregator.Sync();
  now += std::chrono::seconds(45);
  kernel.Write(Key(2), Rtt(1'000'000));
  aggregator.Sync();
  now += std::chrono::seconds(30);  // Key(1) idle 75 s, Key(2) 30 s
  aggregator.Sync();
  const auto snapshot = aggregator.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].key, Key(2));
  EXPECT_EQ(snapshot[0].total.rtt_count, 2u);
}

PrefixStats TrafficOnly(uint64_t packets) {
  PrefixStats s;
  s.rx_packets = packets;
  s.rx_bytes = 60 * packets;
  s.tx_packets = 1;
  s.rx_retransmits = 2;
  return s;
}

std::vector<PrefixKey> KeysOf(const Aggregator& aggregator) {
  std::vector<PrefixKey> keys;
  for (const auto& p : aggregator.Snapshot()) keys.push_back(p.key);
  return keys;
}

TEST(Aggregator, AtTheLimitANewPrefixEvictsTheLeastRecentlyActive) {
  FakeInstances kernel;
  Aggregator aggregator(kernel, {.max_prefixes = 3});
  for (uint8_t i : {1, 2, 3}) {
    kernel.Write(Key(i), TrafficOnly(1));
    aggregator.Sync();
  }
  kernel.Write(Key(1), TrafficOnly(1));  // Key(2) is now the least recently active
  aggregator.Sync();
  kernel.Write(Key(4), TrafficOnly(1));
  aggregator.Sync();
  EXPECT_EQ(KeysOf(aggregator), (std::vector<PrefixKey>{Key(1), Key(3), Key(4)}));
  EXPECT_EQ(aggregator.evictions().traffic_only, 1u);
  EXPECT_EQ(aggregator.evictions().with_rtt, 0u);
  EXPECT_EQ(aggregator.Snapshot()[0].total.rx_packets, 2u);
}

TEST(Aggregator, AFloodOfPrefixesWithoutRttsEvictsNoneWithRtts) {
  FakeInstances kernel;
  Aggregator aggregator(kernel, {.max_prefixes = 4});
  kernel.Write(Key(1), Rtt(10'000'000));
  kernel.Write(Key(2), Rtt(20'000'000));
  aggregator.Sync();
  // Spoofed sources: each drain brings more new prefixes than there is room
  // for, and the prefixes with RTTs are idle meanwhile.
  for (uint8_t i = 10; i < 250; ++i) kernel.Write(Key(i), TrafficOnly(1));
  aggregator.Sync();
  const auto snapshot = aggregator.Snapshot();
  ASSERT_EQ(snapshot.size(), 4u);
  EXPECT_EQ(snapshot[0].key, Key(1));
  EXPECT_EQ(snapshot[0].total.rtt_count, 1u);
  EXPECT_EQ(snapshot[1].key, Key(2));
  EXPECT_EQ(aggregator.evictions().traffic_only, 240u - 2);
  EXPECT_EQ(aggregator.evictions().with_rtt, 0u);
}

TEST(Aggregator, PrefixesWithRttsAreEvictedOnceNoOtherIsLeft) {
  FakeInstances kernel;
  Aggregator aggregator(kernel, {.max_prefixes = 2});
  kernel.Write(Key(1), Rtt(10'000'000));
  aggregator.Sync();
  kernel.Write(Key(2), Rtt(20'000'000));
  aggregator.Sync();
  kernel.Write(Key(3), TrafficOnly(5));
  aggregator.Sync();  // evicts Key(1), the older
  kernel.Write(Key(4), TrafficOnly(5));
  aggregator.Sync();  // evicts Key(3), the only one without RTTs
  EXPECT_EQ(KeysOf(aggregator), (std::vector<PrefixKey>{Key(2), Key(4)}));
  EXPECT_EQ(aggregator.evictions().with_rtt, 1u);
  EXPECT_EQ(aggregator.evictions().traffic_only, 1u);
}

TEST(Aggregator, APrefixKeepsItsTrafficWhenItsFirstRttComes) {
  FakeInstances kernel;
  Aggregator aggregator(kernel, {.max_prefixes = 2});
  kernel.Write(Key(1), TrafficOnly(7));
  aggregator.Sync();
  auto total = aggregator.Snapshot()[0].total;
  EXPECT_EQ(total.rx_packets, 7u);
  EXPECT_EQ(total.rx_bytes, 420u);
  EXPECT_EQ(total.tx_packets, 1u);
  EXPECT_EQ(total.rx_retransmits, 2u);
  EXPECT_EQ(total.rtt_count, 0u);
  kernel.Write(Key(1), Rtt(10'000'000, 3));
  aggregator.Sync();
  // Now with RTTs it outranks a newer prefix without: that one goes first.
  kernel.Write(Key(2), TrafficOnly(1));
  aggregator.Sync();
  kernel.Write(Key(3), TrafficOnly(1));
  aggregator.Sync();
  const auto snapshot = aggregator.Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  total = snapshot[0].total;
  EXPECT_EQ(snapshot[0].key, Key(1));
  EXPECT_EQ(total.rx_packets, 10u);
  EXPECT_EQ(total.rx_bytes, 720u);
  EXPECT_EQ(total.rx_retransmits, 2u);
  EXPECT_EQ(total.rtt_count, 1u);
  EXPECT_EQ(total.rtt_buckets[pp_hist_bucket(10'000)], 1u);
  EXPECT_EQ(snapshot[1].key, Key(3));
  EXPECT_EQ(snapshot[1].total.rtt_buckets, PrefixStats{}.rtt_buckets) << "no histogram without RTTs";
}

TEST(Aggregator, AnEvictedPrefixThatComesBackStartsAfresh) {
  FakeInstances kernel;
  Aggregator aggregator(kernel, {.max_prefixes = 1});
  kernel.Write(Key(1), TrafficOnly(5));
  aggregator.Sync();
  kernel.Write(Key(2), TrafficOnly(1));
  aggregator.Sync();
  kernel.Write(Key(1), TrafficOnly(1));
  aggregator.Sync();
  const auto snapshot = aggregator.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].total.rx_packets, 1u) << "a counter reset, as Prometheus expects of a restart";
  EXPECT_EQ(aggregator.evictions().traffic_only, 2u);
}

// The slots of each prefix a walk visits, in visit order.
using Visits = std::vector<std::pair<uint32_t, PrefixKey>>;

TEST(Aggregator, WalkVisitsThePrefixesHeldAtItsStartOnceEach) {
  FakeInstances kernel;
  auto now = std::chrono::steady_clock::time_point{};
  Aggregator aggregator(kernel, {.expiry = std::chrono::seconds(60)}, [&] { return now; });
  // Drained in key order: Key(2) in slot 0, Key(3) in 1, Key(5) in 2.
  for (uint8_t i : {2, 3, 5}) kernel.Write(Key(i), Rtt(i * 1'000'000));
  aggregator.Sync();
  Visits visited;
  std::vector<uint64_t> counts;
  const auto visit = [&](uint32_t slot, const PrefixKey& key, const PrefixStats& total, const RttRange&) {
    visited.emplace_back(slot, key);
    counts.push_back(total.rtt_count);
  };
  Aggregator::Walk walk = aggregator.BeginWalk();
  ASSERT_TRUE(aggregator.ContinueWalk(walk, 1, visit));
  ASSERT_EQ(visited, (Visits{{0, Key(2)}}));
  // Between batches Key(2) and Key(3) are forgotten; then the new Key(1)
  // takes slot 0 and the visited Key(2) comes back in slot 1, ahead of
  // the walk.
  now += std::chrono::seconds(45);
  kernel.Write(Key(5), Rtt(1'000'000));
  aggregator.Sync();
  now += std::chrono::seconds(30);
  kernel.Write(Key(5), Rtt(1'000'000));
  aggregator.Sync();
  for (uint8_t i : {1, 2, 5}) kernel.Write(Key(i), Rtt(1'000'000));
  aggregator.Sync();
  ASSERT_EQ(aggregator.size(), 3u);
  while (aggregator.ContinueWalk(walk, 1, visit)) {
  }
  EXPECT_EQ(visited, (Visits{{0, Key(2)}, {2, Key(5)}}))
      << "Key(2) visited twice, or Key(1), added after the walk began, visited";
  EXPECT_EQ(counts.back(), 4u) << "read as it is now, not as it was when the walk began";
}

TEST(Aggregator, GivesBackTheSlotsAtTheEndOnceTheirPrefixesAreForgotten) {
  FakeInstances kernel;
  auto now = std::chrono::steady_clock::time_point{};
  // With windows: they are kept by slot too.
  Aggregator aggregator(kernel, {.expiry = std::chrono::seconds(60), .windows = true}, [&] { return now; });
  const auto idle_except = [&](std::initializer_list<uint8_t> active) {
    now += std::chrono::seconds(61);
    for (uint8_t i : active) kernel.Write(Key(i), Rtt(1'000'000));
    aggregator.Sync();
  };
  for (uint8_t i = 1; i <= 5; ++i) kernel.Write(Key(i), Rtt(1'000'000));  // slots 0 to 4
  aggregator.Sync();
  idle_except({2, 5});  // frees slots 0, 2 and 3; slot 4 is still held
  EXPECT_EQ(aggregator.slot_count(), 5u);
  kernel.Write(Key(6), Rtt(1'000'000));
  aggregator.Sync();    // Key(6) takes the lowest free slot, 0
  idle_except({2, 6});  // Key(5) forgotten: slots 2 to 4 are free at the end
  EXPECT_EQ(aggregator.size(), 2u);
  EXPECT_EQ(aggregator.slot_count(), 2u);
  Visits visited;
  Aggregator::Walk walk = aggregator.BeginWalk();
  while (
      aggregator.ContinueWalk(walk, 8, [&](uint32_t slot, const PrefixKey& key, const PrefixStats&, const RttRange&) {
        visited.emplace_back(slot, key);
      })) {
  }
  EXPECT_EQ(visited, (Visits{{0, Key(6)}, {1, Key(2)}}));
  kernel.Write(Key(6), Rtt(2'000'000));
  const auto window = aggregator.TakeWindow();
  ASSERT_EQ(window.size(), 2u);
  EXPECT_EQ(window[1].key, Key(6));
  EXPECT_EQ(window[1].stats.rtt_count, 3u) << "its window since it came: two syncs' samples and this one";
}

TEST(Aggregator, TakeWindowReturnsOnlyWhatCameSinceTheLastCall) {
  FakeInstances kernel;
  Aggregator aggregator(kernel, {.windows = true});
  kernel.Write(Key(1), Rtt(10'000'000));
  aggregator.Sync();
  kernel.Write(Key(1), Rtt(30'000'000));
  auto window = aggregator.TakeWindow();  // syncs, so includes the 30 ms
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].stats.rtt_count, 2u);
  kernel.Write(Key(1), Rtt(50'000'000));
  window = aggregator.TakeWindow();
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].stats.rtt_count, 1u);
  EXPECT_EQ(window[0].stats.rtt_min_ns, 50'000'000u);
  EXPECT_TRUE(aggregator.TakeWindow().empty()) << "a quiet window reports nothing";
  EXPECT_EQ(aggregator.Snapshot()[0].total.rtt_count, 3u);
}

TEST(Aggregator, KeepsNoWindowsUnlessAsked) {
  FakeInstances kernel;
  Aggregator aggregator(kernel);
  kernel.Write(Key(1), Rtt(10'000'000));
  EXPECT_THROW(aggregator.TakeWindow(), std::logic_error);
}

}  // namespace
}  // namespace pping
