// SPDX-License-Identifier: Apache-2.0
// Flow lifecycle, local RTTs, VLAN tags and a full timestamp map, through
// the real programs and maps.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <chrono>

#include "exporter/cleanup/map_cleaner.h"
#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

// last_seen moves with packets that carry a new identifier or echo (they
// read the clock anyway); repeats of the packet before leave it.
TEST_F(DatapathTest, LastSeenMovesWithNewIdentifiersOnly) {
  const auto last_seen = [this] { return OnlyFlow(flows().fd()).last_seen_ns; };
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  Age(std::chrono::milliseconds(5));
  const uint64_t opened = last_seen();
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  EXPECT_EQ(last_seen(), opened);
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));
  const uint64_t moved = last_seen();
  EXPECT_GT(moved, opened);
  Ingress(BuildTcp(In4(kAck, 90, 2)));  // the first echo of 2
  EXPECT_GE(last_seen(), moved);
  Age(std::chrono::milliseconds(5));
  const uint64_t echoed = last_seen();
  // The same echo again, but a new identifier: ingress does not stamp by
  // default, yet its identifiers count.
  Ingress(BuildTcp(In4(kAck | kPsh, 91, 2, 100)));
  EXPECT_GT(last_seen(), echoed);
}

// Once an echo reached the newest stamp, later echoes are not looked up
// until the flow stamps again: a timestamp the flow did not make (put in
// by hand here) is not matched, one it made is.
TEST_F(DatapathTest, EchoesPastTheNewestStampSkipTheLookup) {
  Egress(BuildTcp(Out4(kAck | kPsh, 10, 9, 100)));
  Ingress(BuildTcp(In4(kAck, 90, 10)));
  ASSERT_EQ(Tcp4().rtt_count, 1u);
  pp_packet_key stale{};
  ASSERT_EQ(bpf_map_get_next_key(flows().fd(), nullptr, &stale.flow), 0);
  stale.identifier = 11;
  stale.stamped_on = PP_DIR_EGRESS;
  const uint64_t sent = MapCleaner::MonotonicNowNs();
  ASSERT_EQ(bpf_map_update_elem(timestamps().fd(), &stale, &sent, BPF_NOEXIST), 0);
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
  DatapathOptions options = UnsampledOptions();
  options.include_syn = true;
  Load(options);
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
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u);
  EXPECT_EQ(Tcp4().rtt_count, 2u);  // the FIN's echo still counted
}

TEST_F(DatapathTest, RstClosesAOneWayFlow) {
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  Egress(BuildTcp(Out4(kRst, 2, 9, 0)));
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.flows_closed[PP_CLOSE_RST][0], 1u);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u);
}

TEST_F(DatapathTest, IncludeLocalMatchesOnEgressUnderItsOwnLabel) {
  const auto exchange = [this] {
    Ingress(BuildTcp(In4(kAck | kPsh, 300, 1, 100)));  // remote sends data
    Egress(BuildTcp(Out4(kAck, 2, 300, 0)));           // we echo it
  };
  exchange();
  EXPECT_EQ(Tcp4(PP_DIR_EGRESS).rtt_count, 0u) << "local RTTs are off by default";
  DatapathOptions options = UnsampledOptions();
  options.include_local = true;
  Load(options);
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

// Without a rate limit every new TSval is a sample: the flow holds the
// first, and the ones after it, while it is outstanding, go to the
// timestamp map.
TEST_F(DatapathTest, FullTimestampMapIsCountedButAnIdentifierStampedAlreadyIsNot) {
  DatapathOptions options = UnsampledOptions();
  options.timestamp_map_size = 16;
  Load(options);
  for (uint32_t tsval = 1; tsval <= 20; ++tsval) Egress(BuildTcp(Out4(kAck | kPsh, tsval, 1, 100)));
  ASSERT_EQ(EntryCount<pp_packet_key>(timestamps().fd()), 16u);  // TSvals 2 to 17
  EXPECT_EQ(Counters().map_full[PP_MAP_PACKET_TS], 3u);
  Egress(BuildTcp(Out4(kAck | kPsh, 5, 1, 100)));  // a reordered segment: new after 20, stamped already
  EXPECT_EQ(Counters().map_full[PP_MAP_PACKET_TS], 3u);
  EXPECT_EQ(Counters().map_alloc_failed[PP_MAP_PACKET_TS], 0u);
}

}  // namespace
}  // namespace pping::testing
