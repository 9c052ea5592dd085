// SPDX-License-Identifier: Apache-2.0
// Flow lifecycle, --include-local, VLAN tags and the map cleanup, through
// the real programs and maps.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "exporter/cleanup_iterators.h"
#include "exporter/map_cleaner.h"
#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

// last_seen moves with packets that carry a new identifier or echo (they
// read the clock anyway); repeats of the packet before leave it.
TEST_F(DatapathTest, LastSeenMovesWithNewIdentifiersOnly) {
  const auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  const uint64_t opened = OnlyFlow(datapath().flow_state_fd()).last_seen_ns;
  pause();
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  EXPECT_EQ(OnlyFlow(datapath().flow_state_fd()).last_seen_ns, opened);
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));
  const uint64_t moved = OnlyFlow(datapath().flow_state_fd()).last_seen_ns;
  EXPECT_GT(moved, opened);
  Ingress(BuildTcp(In4(kAck, 90, 2)));  // the first echo of 2
  const uint64_t echoed = OnlyFlow(datapath().flow_state_fd()).last_seen_ns;
  EXPECT_GE(echoed, moved);
  pause();
  // The same echo again, but a new identifier: ingress does not stamp by
  // default, yet its identifiers count.
  Ingress(BuildTcp(In4(kAck | kPsh, 91, 2, 100)));
  EXPECT_GT(OnlyFlow(datapath().flow_state_fd()).last_seen_ns, echoed);
}

// Once an echo reached the newest stamp, later echoes are not looked up
// until the flow stamps again: a timestamp the flow did not make (put in
// by hand here) is not matched, one it made is.
TEST_F(DatapathTest, EchoesPastTheNewestStampSkipTheLookup) {
  Egress(BuildTcp(Out4(kAck | kPsh, 10, 9, 100)));
  Ingress(BuildTcp(In4(kAck, 90, 10)));
  ASSERT_EQ(Tcp4().rtt_count, 1u);
  pp_packet_key stale{};
  ASSERT_EQ(bpf_map_get_next_key(datapath().flow_state_fd(), nullptr, &stale.flow), 0);
  stale.identifier = 11;
  stale.stamped_on = PP_DIR_EGRESS;
  const uint64_t sent = MapCleaner::MonotonicNowNs();
  ASSERT_EQ(bpf_map_update_elem(datapath().packet_ts_fd(), &stale, &sent, BPF_NOEXIST), 0);
  Ingress(BuildTcp(In4(kAck, 91, 11)));
  EXPECT_EQ(Tcp4().rtt_count, 1u) << "looked up with no stamp outstanding";
  Egress(BuildTcp(Out4(kAck | kPsh, 12, 91, 100)));
  Ingress(BuildTcp(In4(kAck, 92, 12)));
  EXPECT_EQ(Tcp4().rtt_count, 2u);
}

TEST_F(DatapathTest, SynAloneOpensNoFlowByDefault) {
  Egress(BuildTcp(Out4(kSyn, 500, 0, 0)));
  Ingress(BuildTcp(In4(kSyn | kAck, 77, 500)));
  EXPECT_EQ(Tcp4().rtt_count, 0u);  // the SYN was not tracked, so not stamped
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.flows_opened[PP_OPEN_SYN], 0u);
  EXPECT_EQ(c.flows_opened[PP_OPEN_SYN_ACK], 1u);
}

TEST_F(DatapathTest, IncludeSynTracksTheHandshake) {
  Config config = UnsampledConfig();
  config.include_syn = true;
  Load(config);
  Egress(BuildTcp(Out4(kSyn, 500, 0, 0)));
  Ingress(BuildTcp(In4(kSyn | kAck, 77, 500)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_SYN], 1u);
}

TEST_F(DatapathTest, FinFromBothSidesClosesTheFlowOnce) {
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  Ingress(BuildTcp(In4(kAck | kFin, 90, 1)));
  Egress(BuildTcp(Out4(kAck | kFin, 2, 90, 0)));
  Ingress(BuildTcp(In4(kAck, 91, 2)));  // last ACK: must not reopen
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.flows_opened[PP_OPEN_FIRST_PACKET], 1u);
  EXPECT_EQ(c.flows_closed[PP_CLOSE_FIN][1], 1u);
  EXPECT_EQ(EntryCount<pp_flow_key>(datapath().flow_state_fd()), 0u);
  EXPECT_EQ(Tcp4().rtt_count, 2u);  // the FIN's echo still counted
}

TEST_F(DatapathTest, RstClosesAOneWayFlow) {
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  Egress(BuildTcp(Out4(kRst, 2, 9, 0)));
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.flows_closed[PP_CLOSE_RST][0], 1u);
  EXPECT_EQ(EntryCount<pp_flow_key>(datapath().flow_state_fd()), 0u);
}

TEST_F(DatapathTest, IncludeLocalMatchesOnEgressUnderItsOwnLabel) {
  const auto exchange = [this] {
    Ingress(BuildTcp(In4(kAck | kPsh, 300, 1, 100)));  // remote sends data
    Egress(BuildTcp(Out4(kAck, 2, 300, 0)));           // we echo it
  };
  exchange();
  EXPECT_EQ(Tcp4(PP_DIR_EGRESS).rtt_count, 0u) << "local RTTs are off by default";
  Config config = UnsampledConfig();
  config.include_local = true;
  Load(config);
  exchange();
  EXPECT_EQ(Tcp4(PP_DIR_EGRESS).rtt_count, 1u);
  EXPECT_EQ(Tcp4(PP_DIR_INGRESS).rtt_count, 0u);
}

TEST_F(DatapathTest, VlanTagsAreSkipped) {
  Frame out = BuildTcp(Out4(kAck | kPsh, 1, 9, 100));
  Frame in = BuildTcp(In4(kAck, 90, 1));
  // 802.1Q on the way out; 802.1ad outer + 802.1Q inner on the way in.
  out.insert(out.begin() + 12, {0x81, 0x00, 0x00, 0x0a});
  in.insert(in.begin() + 12, {0x88, 0xa8, 0x00, 0x14, 0x81, 0x00, 0x00, 0x0a});
  Egress(out);
  Ingress(in);
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  EXPECT_EQ(Counters().non_ip_packets[PP_DIR_INGRESS], 0u);
}

class CleanupTest : public DatapathTest {
 protected:
  // Two flows (TCP and an ICMP pseudo-flow) with one timestamp each in
  // packet_ts, never echoed: each flow holds its first sample itself, and
  // the second, due while the first is outstanding, goes to the map.
  void LeaveOneTimestampPerFlow() {
    for (uint32_t tsval : {1, 2}) Egress(BuildTcp(Out4(kAck | kPsh, tsval, 9, 100)));
    for (uint16_t seq : {1, 2}) Egress(BuildEcho(kLocal4, kRemote4, true, 7, seq));
    ASSERT_EQ(EntryCount<pp_packet_key>(datapath().packet_ts_fd()), 2u);
  }
};

TEST_F(CleanupTest, CleanupExpiresIdleFlowsAndStaleTimestamps) {
  LeaveOneTimestampPerFlow();
  MapCleaner cleaner(datapath().flow_state_fd(), datapath().packet_ts_fd(), {16384, 16384}, CleanupOptions{});
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
  EXPECT_EQ(EntryCount<pp_flow_key>(datapath().flow_state_fd()), 0u);
}

TEST_F(DatapathTest, TimestampLifetimeFollowsTheFlowRtt) {
  MapCleaner cleaner(datapath().flow_state_fd(), datapath().packet_ts_fd(), {16384, 16384}, CleanupOptions{});
  // Give the flow a smoothed RTT of about 300 ms.
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Ingress(BuildTcp(In4(kAck, 90, 1)));
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));  // held by the flow
  Egress(BuildTcp(Out4(kAck | kPsh, 3, 9, 100)));  // outstanding in packet_ts
  ASSERT_EQ(EntryCount<pp_packet_key>(datapath().packet_ts_fd()), 1u);
  const uint64_t now = MapCleaner::MonotonicNowNs();
  cleaner.Sweep(now + 2 * kSecond);  // past 1 s, within 8 x 300 ms
  EXPECT_EQ(cleaner.stats().timestamps_expired, 0u);
  cleaner.Sweep(now + 3 * kSecond);
  EXPECT_EQ(cleaner.stats().timestamps_expired, 1u);
}

// Without a rate limit every new TSval is a sample: the flow holds the
// first, and the ones after it, while it is outstanding, go to the
// timestamp map.
TEST_F(DatapathTest, FullTimestampMapIsCountedButAnIdentifierStampedAlreadyIsNot) {
  Config config = UnsampledConfig();
  config.timestamp_map_size = 16;
  Load(config);
  for (uint32_t tsval = 1; tsval <= 20; ++tsval) Egress(BuildTcp(Out4(kAck | kPsh, tsval, 1, 100)));
  ASSERT_EQ(EntryCount<pp_packet_key>(datapath().packet_ts_fd()), 16u);  // TSvals 2 to 17
  EXPECT_EQ(Counters().map_full[PP_MAP_PACKET_TS], 3u);
  Egress(BuildTcp(Out4(kAck | kPsh, 5, 1, 100)));  // a reordered segment: new after 20, stamped already
  EXPECT_EQ(Counters().map_full[PP_MAP_PACKET_TS], 3u);
  EXPECT_EQ(Counters().map_alloc_failed[PP_MAP_PACKET_TS], 0u);
}

TEST_F(DatapathTest, FullFlowMapIsCountedThenRelievedByEvictingTheOldest) {
  Config config = UnsampledConfig();
  config.flow_map_size = 20;
  config.cleanup.protect_young = std::chrono::milliseconds(300);
  Load(config);
  const auto echo = [this](uint16_t id) { Egress(BuildEcho(kLocal4, kRemote4, true, id, 1)); };
  for (uint16_t id = 1; id <= 21; ++id) echo(id);  // the 21st does not fit
  EXPECT_EQ(Counters().map_full[PP_MAP_FLOW_STATE], 1u);
  EXPECT_EQ(Counters().map_alloc_failed[PP_MAP_FLOW_STATE], 0u) << "a full map is not an allocation failure";
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  Egress(BuildEcho(kLocal4, kRemote4, true, 1, 2));  // flow 1 stays active: a new sequence
  MapCleaner cleaner(datapath().flow_state_fd(), datapath().packet_ts_fd(), {20, 16384}, config.cleanup);
  cleaner.Sweep(MapCleaner::MonotonicNowNs());
  EXPECT_EQ(cleaner.stats().flows_evicted[0], 5u);  // down to 75 % of 20
  EXPECT_EQ(cleaner.stats().flows_tracked, 15u);
  const uint64_t opened = Counters().flows_opened[PP_OPEN_FIRST_PACKET];
  echo(1);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], opened) << "the active flow was evicted";
  echo(22);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], opened + 1) << "no room for a new flow";
}

TEST_F(DatapathTest, YoungEntriesAreNotEvicted) {
  Config config = UnsampledConfig();
  config.flow_map_size = 20;
  config.cleanup.protect_young = std::chrono::milliseconds(10'000);
  Load(config);
  for (uint16_t id = 1; id <= 20; ++id) Egress(BuildEcho(kLocal4, kRemote4, true, id, 1));
  MapCleaner cleaner(datapath().flow_state_fd(), datapath().packet_ts_fd(), {20, 16384}, config.cleanup);
  cleaner.Sweep(MapCleaner::MonotonicNowNs());
  EXPECT_EQ(cleaner.stats().flows_evicted[0], 0u);
  EXPECT_EQ(cleaner.stats().flows_tracked, 20u);
}

TEST_F(DatapathTest, TickSweepsAtOnceWhenAMapWasFull) {
  CleanupOptions options;
  options.interval = std::chrono::seconds(60);
  MapCleaner cleaner(datapath().flow_state_fd(), datapath().packet_ts_fd(), {16384, 16384}, options);
  const uint64_t now = MapCleaner::MonotonicNowNs();
  const uint64_t ms = 1'000'000;
  cleaner.Tick(now, 0);  // first tick: the interval has passed since "never"
  cleaner.Tick(now + 100 * ms, 0);
  EXPECT_EQ(cleaner.stats().sweeps, 1u);
  cleaner.Tick(now + 200 * ms, 3);  // inserts failed since the last tick
  EXPECT_EQ(cleaner.stats().sweeps, 2u);
}

TEST_F(CleanupTest, CleanupIteratorsExpireLikeTheUserSpaceSweep) {
  auto iterators = CleanupIterators::TryLoad(datapath(), CleanupOptions{});
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
  EXPECT_EQ(EntryCount<pp_flow_key>(datapath().flow_state_fd()), 0u);
}

TEST(MapCleanerWithKernelExpiry, ReportsTheIteratorsResult) {
  pp_cleanup_result fake{};
  fake.flows_timed_out[1] = 3;
  fake.timestamps_expired = 7;
  fake.flows_kept = 10;
  fake.timestamps_kept = 4;
  uint64_t seen_now = 0;
  MapCleaner cleaner(-1, -1, {100, 100}, CleanupOptions{}, [&](uint64_t now) {
    seen_now = now;
    return fake;
  });
  cleaner.Sweep(42);
  const CleanupStats stats = cleaner.stats();
  EXPECT_EQ(seen_now, 42u);
  EXPECT_EQ(stats.flows_timed_out[1], 3u);
  EXPECT_EQ(stats.timestamps_expired, 7u);
  EXPECT_EQ(stats.flows_tracked, 10u);
  EXPECT_EQ(stats.timestamps_tracked, 4u);
  EXPECT_EQ(stats.sweeps, 1u);
}

}  // namespace
}  // namespace pping::testing
