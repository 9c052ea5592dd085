// SPDX-License-Identifier: Apache-2.0
// The map cleanup on the real maps the programs fill: idle flows and stale
// timestamps expire (lifetimes following the flow's RTT), a full flow map
// is relieved by evicting its oldest flows, and the BPF iterators expire
// like the user-space pass where the kernel allows them. The cleanup's
// rules alone are unit-tested in exporter/cleanup.
#include <gtest/gtest.h>

#include <chrono>

#include "exporter/cleanup/cleanup_iterators.h"
#include "exporter/cleanup/map_cleaner.h"
#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

class CleanupTest : public DatapathTest {
 protected:
  // Two flows (TCP and an ICMP pseudo-flow) with one timestamp each in
  // packet_ts, never echoed: each flow holds its first sample itself, and
  // the second, due while the first is outstanding, goes to the map.
  void LeaveOneTimestampPerFlow() {
    for (uint32_t tsval : {1, 2}) Egress(BuildTcp(Out4(kAck | kPsh, tsval, 9, 100)));
    for (uint16_t seq : {1, 2}) Egress(BuildEcho(kLocal4, kRemote4, true, 7, seq));
    ASSERT_EQ(EntryCount<pp_packet_key>(timestamps().fd()), 2u);
  }
};

TEST_F(CleanupTest, CleanupExpiresIdleFlowsAndStaleTimestamps) {
  LeaveOneTimestampPerFlow();
  MapCleaner cleaner(KernelCleanupMaps(), {16384, 16384}, CleanupOptions{});
  const uint64_t now = MapCleaner::MonotonicNowNs();
  cleaner.Sweep(now);
  EXPECT_EQ(cleaner.stats().flows_tracked, 2u);
  EXPECT_EQ(cleaner.stats().timestamps_tracked, 2u);
  cleaner.Sweep(now + 2 * kSecond);  // timestamps outlived 1 s
  EXPECT_EQ(cleaner.stats().timestamps_expired, 2u);
  EXPECT_EQ(cleaner.stats().flows_tracked, 2u);
  cleaner.Sweep(now + 60 * kSecond);  // ICMP flows expire after 30 s
  EXPECT_EQ(cleaner.stats().flows_timed_out[0], 1u);
  EXPECT_EQ(cleaner.stats().flows_tracked, 1u);
  cleaner.Sweep(now + 400 * kSecond);  // TCP flows after 300 s
  EXPECT_EQ(cleaner.stats().flows_timed_out[0], 2u);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u);
}

TEST_F(DatapathTest, TimestampLifetimeFollowsTheFlowRtt) {
  MapCleaner cleaner(KernelCleanupMaps(), {16384, 16384}, CleanupOptions{});
  // Give the flow a smoothed RTT of about 300 ms.
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  Age(std::chrono::milliseconds(300));
  Ingress(BuildTcp(In4(kAck, 90, 1)));
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));  // held by the flow
  Egress(BuildTcp(Out4(kAck | kPsh, 3, 9, 100)));  // outstanding in packet_ts
  ASSERT_EQ(EntryCount<pp_packet_key>(timestamps().fd()), 1u);
  const uint64_t now = MapCleaner::MonotonicNowNs();
  cleaner.Sweep(now + 2 * kSecond);  // past 1 s, within 8 x 300 ms
  EXPECT_EQ(cleaner.stats().timestamps_expired, 0u);
  cleaner.Sweep(now + 3 * kSecond);
  EXPECT_EQ(cleaner.stats().timestamps_expired, 1u);
}

TEST_F(DatapathTest, FullFlowMapIsCountedThenRelievedByEvictingTheOldest) {
  DatapathOptions options = UnsampledOptions();
  options.flow_map_size = 20;
  Load(options);
  const auto echo = [this](uint16_t id) { Egress(BuildEcho(kLocal4, kRemote4, true, id, 1)); };
  for (uint16_t id = 1; id <= 21; ++id) echo(id);  // the 21st does not fit
  EXPECT_EQ(Counters().map_full[PP_MAP_FLOW_STATE], 1u);
  EXPECT_EQ(Counters().map_alloc_failed[PP_MAP_FLOW_STATE], 0u) << "a full map is not an allocation failure";
  Age(std::chrono::milliseconds(400));
  Egress(BuildEcho(kLocal4, kRemote4, true, 1, 2));  // flow 1 stays active: a new sequence
  MapCleaner cleaner(KernelCleanupMaps(), {20, 16384}, {.protect_young = std::chrono::milliseconds(300)});
  cleaner.Sweep(MapCleaner::MonotonicNowNs());
  EXPECT_EQ(cleaner.stats().flows_evicted[0], 5u);  // down to 75 % of 20
  EXPECT_EQ(cleaner.stats().flows_tracked, 15u);
  const uint64_t opened = Counters().flows_opened[PP_OPEN_FIRST_PACKET];
  echo(1);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], opened) << "the active flow was evicted";
  echo(22);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], opened + 1) << "no room for a new flow";
}

TEST_F(CleanupTest, CleanupIteratorsExpireLikeTheUserSpaceSweep) {
  auto iterators = CleanupIterators::TryLoad(datapath().flow_maps(), datapath().timestamp_maps(), CleanupOptions{});
  if (!iterators) GTEST_SKIP() << "this kernel refuses BPF iterator programs; the user-space sweep is used";
  LeaveOneTimestampPerFlow();
  const uint64_t now = MapCleaner::MonotonicNowNs();
  pp_cleanup_result r = iterators->Run(now);
  EXPECT_EQ(r.flows_kept, 2u);
  EXPECT_EQ(r.timestamps_kept, 2u);
  r = iterators->Run(now + 2 * kSecond);
  EXPECT_EQ(r.timestamps_expired, 2u);
  r = iterators->Run(now + 60 * kSecond);
  EXPECT_EQ(r.flows_timed_out[0], 1u);
  r = iterators->Run(now + 400 * kSecond);
  EXPECT_EQ(r.flows_timed_out[0], 1u);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u);
}

// After the maps were replaced (grown), the iterators run over the new ones.
TEST_F(CleanupTest, CleanupIteratorsFollowTheMapsAcrossAMove) {
  auto iterators = CleanupIterators::TryLoad(datapath().flow_maps(), datapath().timestamp_maps(), CleanupOptions{});
  if (!iterators) GTEST_SKIP() << "this kernel refuses BPF iterator programs; the user-space sweep is used";
  LeaveOneTimestampPerFlow();
  const uint64_t now = MapCleaner::MonotonicNowNs();
  EXPECT_EQ(iterators->Run(now).flows_kept, 2u);
  datapath().flow_maps()->MoveTo(32768);
  datapath().timestamp_maps()->MoveTo(32768);
  pp_cleanup_result r = iterators->Run(now);
  EXPECT_EQ(r.flows_kept, 2u);
  EXPECT_EQ(r.timestamps_kept, 2u);
  r = iterators->Run(now + 400 * kSecond);
  EXPECT_EQ(r.flows_timed_out[0] + r.flows_timed_out[1], 2u);
  EXPECT_EQ(r.timestamps_expired, 2u);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u) << "expired in the map in use";
}

}  // namespace
}  // namespace pping::testing
