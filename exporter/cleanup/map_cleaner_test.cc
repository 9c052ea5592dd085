// SPDX-License-Identifier: Apache-2.0
// The cleanup's rules over in-memory maps: timeouts per protocol, eviction
// of the oldest down to the low watermark sparing young entries, timestamp
// lifetimes that follow the flow's RTT, and when a pass runs.
#include "exporter/cleanup/map_cleaner.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>
#include <utility>
#include <vector>

#include "exporter/cleanup/fake_cleanup_maps.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using testing::FakeCleanupMaps;

constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint64_t kNow = 1000 * kSecond;

pp_flow_key FlowKey(uint16_t port, uint8_t proto = IPPROTO_TCP) {
  pp_flow_key key{};
  key.local.bytes[15] = 1;
  key.remote.bytes[15] = 2;
  key.local_port = port;
  key.remote_port = 80;
  key.ip_proto = proto;
  return key;
}

pp_flow_state Flow(uint64_t last_seen_ns, bool both_ways = true, uint64_t srtt_ns = 0) {
  pp_flow_state flow{};
  flow.last_seen_ns = last_seen_ns;
  flow.flags = PP_FLOW_SEEN_EGRESS | (both_ways ? PP_FLOW_SEEN_INGRESS : 0);
  flow.rtt[PP_DIR_EGRESS].srtt_ns = srtt_ns;
  return flow;
}

pp_packet_key Stamp(const pp_flow_key& flow, uint32_t identifier) {
  pp_packet_key key{};
  key.flow = flow;
  key.identifier = identifier;
  key.stamped_on = PP_DIR_EGRESS;
  return key;
}

struct Closed {
  uint16_t port;
  CleanupClose reason;
};

class MapCleanerTest : public ::testing::Test {
 protected:
  // A cleaner over the fake maps, telling `closed_` of every flow it removes.
  MapCleaner& Cleaner(MapCapacities capacities = {100, 100}, CleanupOptions options = {}) {
    auto maps = std::make_unique<FakeCleanupMaps>();
    maps_ = maps.get();
    cleaner_ = std::make_unique<MapCleaner>(std::move(maps), capacities, options);
    cleaner_->set_closed_flow_sink([this](const pp_flow_key& key, CleanupClose reason) {
      closed_.push_back({key.local_port, reason});
    });
    return *cleaner_;
  }

  FakeCleanupMaps* maps_ = nullptr;
  std::unique_ptr<MapCleaner> cleaner_;
  std::vector<Closed> closed_;
};

TEST_F(MapCleanerTest, IdleFlowsTimeOutAfterTheirProtocolsTimeout) {
  MapCleaner& cleaner = Cleaner({100, 100}, {.tcp_flow_timeout = 300s, .icmp_flow_timeout = 30s});
  maps_->PutFlow(FlowKey(1), Flow(kNow - 299 * kSecond));                 // TCP, not yet
  maps_->PutFlow(FlowKey(2), Flow(kNow - 301 * kSecond, false));          // TCP, one way
  maps_->PutFlow(FlowKey(3, IPPROTO_ICMP), Flow(kNow - 31 * kSecond));    // ICMP, both ways
  maps_->PutFlow(FlowKey(4, IPPROTO_ICMPV6), Flow(kNow - 29 * kSecond));  // ICMPv6, not yet
  cleaner.Sweep(kNow);
  const CleanupStats s = cleaner.stats();
  EXPECT_EQ(s.flows_timed_out[0], 1u);  // one way
  EXPECT_EQ(s.flows_timed_out[1], 1u);  // both ways
  EXPECT_EQ(s.flows_tracked, 2u);
  EXPECT_TRUE(maps_->HasFlow(FlowKey(1)));
  EXPECT_TRUE(maps_->HasFlow(FlowKey(4, IPPROTO_ICMPV6)));
  ASSERT_EQ(closed_.size(), 2u);
  EXPECT_EQ(closed_[0].reason, CleanupClose::kTimeout);
}

TEST_F(MapCleanerTest, AFlowGoneBeforeItsDeleteIsNotCounted) {
  MapCleaner& cleaner = Cleaner();
  maps_->PutFlow(FlowKey(1), Flow(kNow - 400 * kSecond));
  maps_->VanishBeforeDelete(FlowKey(1));  // closed by a FIN meanwhile
  cleaner.Sweep(kNow);
  EXPECT_EQ(cleaner.stats().flows_timed_out[0] + cleaner.stats().flows_timed_out[1], 0u);
  EXPECT_TRUE(closed_.empty());
}

TEST_F(MapCleanerTest, ANearlyFullFlowMapLosesItsOldestDownToTheLowWatermark) {
  MapCleaner& cleaner = Cleaner({20, 100}, {.protect_young = 500ms});
  // 18 of 20 (90 %): ports 1..18, port 1 the oldest.
  for (uint16_t port = 1; port <= 18; ++port) {
    maps_->PutFlow(FlowKey(port), Flow(kNow - (100 - port) * kSecond, port % 2 == 0));
  }
  cleaner.Sweep(kNow);
  const CleanupStats s = cleaner.stats();
  EXPECT_EQ(s.flows_evicted[0] + s.flows_evicted[1], 3u);  // down to 75 % of 20
  EXPECT_EQ(s.flows_evicted[0], 2u);                       // ports 1 and 3 were one way
  EXPECT_EQ(s.flows_tracked, 15u);
  for (uint16_t port = 1; port <= 3; ++port) EXPECT_FALSE(maps_->HasFlow(FlowKey(port))) << port;
  EXPECT_TRUE(maps_->HasFlow(FlowKey(4)));
  ASSERT_EQ(closed_.size(), 3u);
  EXPECT_EQ(closed_[0].reason, CleanupClose::kEvicted);
  EXPECT_EQ(closed_[0].port, 1);
}

TEST_F(MapCleanerTest, BelowTheHighWatermarkNothingIsEvicted) {
  MapCleaner& cleaner = Cleaner({20, 100});
  for (uint16_t port = 1; port <= 17; ++port) maps_->PutFlow(FlowKey(port), Flow(kNow - 100 * kSecond));
  cleaner.Sweep(kNow);
  EXPECT_EQ(cleaner.stats().flows_evicted[0] + cleaner.stats().flows_evicted[1], 0u);
  EXPECT_EQ(maps_->flows(), 17u);
}

TEST_F(MapCleanerTest, EntriesYoungerThanTheProtectionAgeAreNeverEvicted) {
  MapCleaner& cleaner = Cleaner({20, 100}, {.protect_young = 10s});
  // Ports 1 and 2 are past the protection age, the rest younger.
  for (uint16_t port = 1; port <= 20; ++port) {
    maps_->PutFlow(FlowKey(port), Flow(kNow - (port <= 2 ? 60 : 5) * kSecond));
  }
  cleaner.Sweep(kNow);
  EXPECT_EQ(cleaner.stats().flows_evicted[0] + cleaner.stats().flows_evicted[1], 2u) << "only the two old ones";
  EXPECT_EQ(maps_->flows(), 18u);
}

TEST_F(MapCleanerTest, TimestampsLiveEightSmoothedRttsButAtLeastASecond) {
  MapCleaner& cleaner = Cleaner();
  const pp_flow_key slow = FlowKey(1), unknown = FlowKey(2);
  maps_->PutFlow(slow, Flow(kNow, true, 300'000'000));  // srtt 300 ms: lifetime 2.4 s
  maps_->PutTimestamp(Stamp(slow, 1), kNow - 2 * kSecond);
  maps_->PutTimestamp(Stamp(slow, 2), kNow - 3 * kSecond);
  maps_->PutTimestamp(Stamp(unknown, 1), kNow - 900'000'000);  // no flow: 1 s
  maps_->PutTimestamp(Stamp(unknown, 2), kNow - 1'100'000'000);
  cleaner.Sweep(kNow);
  EXPECT_EQ(cleaner.stats().timestamps_expired, 2u);
  EXPECT_EQ(cleaner.stats().timestamps_tracked, 2u);
  EXPECT_EQ(maps_->timestamps(), 2u);
}

TEST_F(MapCleanerTest, ANearlyFullTimestampMapLosesItsOldest) {
  MapCleaner& cleaner = Cleaner({100, 20}, {.protect_young = 0ns});
  const pp_flow_key flow = FlowKey(1);
  maps_->PutFlow(flow, Flow(kNow, true, 10 * kSecond));  // long lifetimes: none expires
  for (uint32_t id = 1; id <= 19; ++id) maps_->PutTimestamp(Stamp(flow, id), kNow - (50 - id) * 1'000'000);
  cleaner.Sweep(kNow);
  EXPECT_EQ(cleaner.stats().timestamps_expired, 0u);
  EXPECT_EQ(cleaner.stats().timestamps_evicted, 4u);  // 19 down to 15
  EXPECT_EQ(maps_->timestamps(), 15u);
}

TEST_F(MapCleanerTest, TickSweepsEachIntervalAndAtOnceWhenAnInsertFailed) {
  MapCleaner& cleaner = Cleaner({100, 100}, {.interval = 60s});
  const uint64_t ms = 1'000'000;
  cleaner.Tick(kNow, 0);  // the first tick: the interval has passed since "never"
  cleaner.Tick(kNow + 100 * ms, 0);
  EXPECT_EQ(cleaner.stats().sweeps, 1u);
  cleaner.Tick(kNow + 200 * ms, 3);  // inserts failed since the last tick
  EXPECT_EQ(cleaner.stats().sweeps, 2u);
  cleaner.Tick(kNow + 300 * ms, 3);  // no new failure
  EXPECT_EQ(cleaner.stats().sweeps, 2u);
  cleaner.Tick(kNow + 61 * kSecond, 3);
  EXPECT_EQ(cleaner.stats().sweeps, 3u);
}

TEST(MapCleanerWithKernelExpiry, ReportsTheIteratorsResultAndLeavesTheMapsAlone) {
  pp_cleanup_result fake{};
  fake.flows_timed_out[1] = 3;
  fake.timestamps_expired = 7;
  fake.flows_kept = 10;
  fake.timestamps_kept = 4;
  uint64_t seen_now = 0;
  auto maps = std::make_unique<FakeCleanupMaps>();
  FakeCleanupMaps& fake_maps = *maps;
  fake_maps.PutFlow(FlowKey(1), Flow(0));  // idle for ever: the iterators' business
  MapCleaner cleaner(std::move(maps), {100, 100}, CleanupOptions{}, [&](uint64_t now) {
    seen_now = now;
    return fake;
  });
  cleaner.Sweep(kNow);
  const CleanupStats stats = cleaner.stats();
  EXPECT_EQ(seen_now, kNow);
  EXPECT_EQ(stats.flows_timed_out[1], 3u);
  EXPECT_EQ(stats.timestamps_expired, 7u);
  EXPECT_EQ(stats.flows_tracked, 10u);
  EXPECT_EQ(stats.timestamps_tracked, 4u);
  EXPECT_EQ(stats.sweeps, 1u);
  EXPECT_TRUE(stats.kernel_iterators);
  EXPECT_EQ(fake_maps.flows(), 1u);
}

TEST(MapCleanerWithKernelExpiry, EvictsFromUserSpaceWhenTheIteratorsLeaveAMapNearlyFull) {
  pp_cleanup_result fake{};
  fake.flows_kept = 19;  // of 20
  auto maps = std::make_unique<FakeCleanupMaps>();
  FakeCleanupMaps& fake_maps = *maps;
  for (uint16_t port = 1; port <= 19; ++port) fake_maps.PutFlow(FlowKey(port), Flow(kNow - 10 * kSecond));
  MapCleaner cleaner(std::move(maps), {20, 100}, CleanupOptions{}, [&](uint64_t) { return fake; });
  cleaner.Sweep(kNow);
  EXPECT_EQ(fake_maps.flows(), 15u);
  EXPECT_EQ(cleaner.stats().flows_evicted[1], 4u);
}

TEST_F(MapCleanerTest, AFillingMapGrowsBeforeAnythingIsEvicted) {
  MapCleaner& cleaner = Cleaner({100, 100, 400, 400});
  for (uint16_t port = 0; port < 80; ++port) maps_->PutFlow(FlowKey(port), Flow(kNow - 10 * kSecond));
  cleaner.Sweep(kNow);
  using Moves = std::vector<std::pair<MapKind, uint32_t>>;
  EXPECT_EQ(maps_->resizes, (Moves{{MapKind::kFlows, 200}})) << "80 of 100: to twice the flows held";
  EXPECT_TRUE(closed_.empty()) << "nothing evicted";
  for (uint16_t port = 80; port < 170; ++port) maps_->PutFlow(FlowKey(port), Flow(kNow - 10 * kSecond));
  cleaner.Sweep(kNow);
  EXPECT_EQ(maps_->resizes.back(), std::make_pair(MapKind::kFlows, 400u)) << "170 of 200, capped at the maximum";
  for (uint16_t port = 170; port < 380; ++port) maps_->PutFlow(FlowKey(port), Flow(kNow - 10 * kSecond));
  cleaner.Sweep(kNow);
  EXPECT_EQ(maps_->resizes.size(), 2u) << "no room left to grow";
  EXPECT_EQ(closed_.size(), 80u) << "at the maximum, evicted down to 75 %";
  const CleanupStats s = cleaner.stats();
  EXPECT_EQ(s.flows_capacity, 400u);
  EXPECT_EQ(s.map_resizes[0][0], 2u);
  EXPECT_EQ(s.map_resizes[0][1], 0u);
  EXPECT_EQ(s.timestamps_capacity, 100u);
}

TEST_F(MapCleanerTest, AMapLongNearlyEmptyShrinksBackToItsSizeAtStart) {
  MapCleaner& cleaner = Cleaner({100, 100, 400, 400}, {.tcp_flow_timeout = 300s});
  for (uint16_t port = 0; port < 300; ++port) maps_->PutFlow(FlowKey(port), Flow(kNow));
  cleaner.Sweep(kNow);
  ASSERT_EQ(cleaner.stats().flows_capacity, 400u);
  // All but ten time out; those ten stay active.
  uint64_t now = kNow;
  const auto sweep_at = [&](uint64_t seconds_later) {
    now = kNow + seconds_later * kSecond;
    for (uint16_t port = 0; port < 10; ++port) maps_->PutFlow(FlowKey(port), Flow(now));
    cleaner.Sweep(now);
    return cleaner.stats().flows_capacity;
  };
  EXPECT_EQ(sweep_at(301), 400u) << "nearly empty from now";
  EXPECT_EQ(sweep_at(330), 400u) << "not for a minute yet";
  EXPECT_EQ(sweep_at(361), 200u);
  EXPECT_EQ(sweep_at(362), 200u) << "the next half only after another minute";
  EXPECT_EQ(sweep_at(423), 100u);
  EXPECT_EQ(sweep_at(500), 100u) << "never below the size at start";
  EXPECT_EQ(cleaner.stats().map_resizes[0][1], 2u);
}

}  // namespace
}  // namespace pping
