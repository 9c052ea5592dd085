// SPDX-License-Identifier: Apache-2.0
// Replacing the flow and timestamp maps while the programs run, through
// the real programs: a flow keeps its state and its outstanding stamp
// across a move; while a move is under way (the old map in the previous
// slot, the new one current) a flow met first is carried over by the
// datapath, a stamp in the old map still matches, once, and a flow closed
// is gone from both; a move into a map too small counts what it drops.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "exporter/kernel/map_keys.h"
#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

class MapMoveTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped()) return;
    Load(Replaying());
  }

  // A new map of the flow map's kind, put current by hand with the old
  // one previous, as a move does before it copies: the state in which the
  // datapath must find what is not copied yet.
  UniqueFd BeginMoveByHand(int old_fd, int slots_fd) {
    bpf_map_info info{};
    __u32 length = sizeof(info);
    EXPECT_EQ(bpf_obj_get_info_by_fd(old_fd, &info, &length), 0);
    bpf_map_create_opts opts{};
    opts.sz = sizeof(opts);
    opts.map_flags = info.map_flags;
    UniqueFd fresh(bpf_map_create(static_cast<bpf_map_type>(info.type), "moving", info.key_size, info.value_size,
                                  info.max_entries * 2, &opts));
    EXPECT_TRUE(fresh);
    uint32_t previous = PP_MAP_PREVIOUS, current = PP_MAP_CURRENT;
    uint32_t old_value = static_cast<uint32_t>(old_fd), new_value = static_cast<uint32_t>(fresh.get());
    EXPECT_EQ(bpf_map_update_elem(slots_fd, &previous, &old_value, BPF_ANY), 0);
    EXPECT_EQ(bpf_map_update_elem(slots_fd, &current, &new_value, BPF_ANY), 0);
    return fresh;
  }

  // A first sample (the flow has an RTT), then two stamps outstanding:
  // TSval 11 held by the flow, 12 in the timestamp map.
  void SampleThenStampTwo() {
    EgressAt(BuildTcp(Out4(kAck | kPsh, 10, 9, 100)), kT0);
    IngressAt(BuildTcp(In4(kAck, 90, 10)), kT0 + 5 * kMs);
    EgressAt(BuildTcp(Out4(kAck | kPsh, 11, 90, 100)), kT0 + 10 * kMs);
    EgressAt(BuildTcp(Out4(kAck | kPsh, 12, 90, 100)), kT0 + 11 * kMs);
  }
};

TEST_F(MapMoveTest, AFlowAndItsStampCrossAGrowingMove) {
  SampleThenStampTwo();
  const pp_flow_state before = OnlyFlow(flows().fd());
  ASSERT_EQ(AllKeys<pp_packet_key>(timestamps().fd()).size(), 1u);

  const MapMove flows_moved = datapath().flow_maps()->MoveTo(65536);
  const MapMove stamps_moved = datapath().timestamp_maps()->MoveTo(65536);
  EXPECT_EQ(flows_moved.moved, 1u);
  EXPECT_EQ(stamps_moved.moved, 1u);
  EXPECT_EQ(flows_moved.refused + stamps_moved.refused, 0u);
  EXPECT_EQ(datapath().flow_maps()->capacity(), 65536u);
  bpf_map_info info{};
  __u32 length = sizeof(info);
  ASSERT_EQ(bpf_obj_get_info_by_fd(flows().fd(), &info, &length), 0);
  EXPECT_EQ(info.max_entries, 65536u) << "the programs' map is the new one";

  const pp_flow_state after = OnlyFlow(flows().fd());
  EXPECT_EQ(after.rtt[PP_DIR_EGRESS].srtt_ns, before.rtt[PP_DIR_EGRESS].srtt_ns);
  EXPECT_EQ(after.sampling[PP_DIR_EGRESS].held_identifier, before.sampling[PP_DIR_EGRESS].held_identifier);
  IngressAt(BuildTcp(In4(kAck, 91, 11)), kT0 + 16 * kMs);
  IngressAt(BuildTcp(In4(kAck, 92, 12)), kT0 + 17 * kMs);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.rtt_count, 3u) << "the held sample and the moved stamp both matched";
  EXPECT_EQ(s.rtt_max_ns, 6 * kMs);
}

TEST_F(MapMoveTest, DuringAMoveTheDatapathFindsWhatIsNotCopiedYet) {
  SampleThenStampTwo();
  const FlowMap old_flow_map = flows();
  const TimestampMap old_stamp_map = timestamps();
  const UniqueFd new_flows = BeginMoveByHand(old_flow_map.fd(), datapath().flow_maps()->slots_fd());
  const UniqueFd new_stamps = BeginMoveByHand(old_stamp_map.fd(), datapath().timestamp_maps()->slots_fd());
  ASSERT_TRUE(AllKeys<pp_flow_key>(new_flows.get()).empty());

  IngressAt(BuildTcp(In4(kAck, 91, 11)), kT0 + 16 * kMs);
  EXPECT_EQ(AllKeys<pp_flow_key>(new_flows.get()).size(), 1u) << "the flow was carried over on its first packet";
  // Smoothed from the old state's 5 ms by the new 6 ms sample: carried
  // over, not opened anew.
  EXPECT_EQ(OnlyFlow(new_flows.get()).rtt[PP_DIR_EGRESS].srtt_ns, 5'125'000u);
  EXPECT_EQ(OnlyFlow(old_flow_map.fd()).rtt[PP_DIR_EGRESS].srtt_ns, 5'000'000u) << "the old map is not written";
  IngressAt(BuildTcp(In4(kAck, 92, 12)), kT0 + 17 * kMs);
  EXPECT_TRUE(AllKeys<pp_packet_key>(old_stamp_map.fd()).empty()) << "the stamp matched in the old map went from it";
  EXPECT_EQ(Tcp4().rtt_count, 3u);
  IngressAt(BuildTcp(In4(kAck, 93, 12)), kT0 + 18 * kMs);
  EXPECT_EQ(Tcp4().rtt_count, 3u) << "a stamp matches once";

  // A RST closes the flow in both maps: the move's copy cannot revive it.
  IngressAt(BuildTcp(In4(kRst | kAck, 94, 12)), kT0 + 19 * kMs);
  EXPECT_TRUE(AllKeys<pp_flow_key>(new_flows.get()).empty());
  EXPECT_TRUE(AllKeys<pp_flow_key>(old_flow_map.fd()).empty());
}

// A DNS query retried during a move: one query counted, its stamp in the
// new map marked retried (so neither response gives a sample: it cannot
// tell which query it answers), and none left in the old map for a second
// response to match.
TEST_F(MapMoveTest, AQueryRetriedDuringAMoveIsStampedOnceAndGivesNoSample) {
  const auto query = BuildUdp(kLocal4, kRemote4, 41000, 53, BuildDns({.id = 7}));
  const auto response = BuildUdp(kRemote4, kLocal4, 53, 41000, BuildDns({.id = 7, .response = true}));
  EgressAt(query, kT0);
  const TimestampMap old_stamps = timestamps();
  const UniqueFd new_stamps = BeginMoveByHand(old_stamps.fd(), datapath().timestamp_maps()->slots_fd());
  EgressAt(query, kT0 + 1000 * kMs);  // the retry
  EXPECT_TRUE(AllKeys<pp_packet_key>(old_stamps.fd()).empty());
  ASSERT_EQ(AllKeys<pp_packet_key>(new_stamps.get()).size(), 1u);
  EXPECT_EQ(Counters().dns_queries, 1u);
  IngressAt(response, kT0 + 1010 * kMs);
  IngressAt(response, kT0 + 1020 * kMs);
  Sync();
  EXPECT_EQ(Lookup({ParseAddress("192.0.2.0"), 96 + 24, PP_PROTO_UDP, PP_DIR_INGRESS, PP_METHOD_DNS, 0}).rtt_count, 0u);
}

// An identifier stamped before a move and sent again during it keeps its
// first stamp: no second one in the new map.
TEST_F(MapMoveTest, AnIdentifierStampedBeforeAMoveIsNotStampedAgain) {
  SampleThenStampTwo();
  const TimestampMap old_stamps = timestamps();
  const UniqueFd new_stamps = BeginMoveByHand(old_stamps.fd(), datapath().timestamp_maps()->slots_fd());
  pp_flow_state flow = OnlyFlow(flows().fd());
  flow.id_known &= ~(1u << PP_DIR_EGRESS);  // let 12 count as new again, as after a reordering
  ASSERT_TRUE(flows().Update(OnlyFlowKey(flows().fd()), flow, BPF_EXIST));
  EgressAt(BuildTcp(Out4(kAck | kPsh, 12, 90, 100)), kT0 + 14 * kMs);
  EXPECT_TRUE(AllKeys<pp_packet_key>(new_stamps.get()).empty())
      << "the first stamp, in the old map, stays the only one";
  IngressAt(BuildTcp(In4(kAck, 91, 12)), kT0 + 17 * kMs);
  EXPECT_EQ(Tcp4().rtt_max_ns, 6 * kMs) << "measured from the first stamp";
}

TEST_F(MapMoveTest, AMoveIntoTooSmallAMapCountsWhatItDrops) {
  for (uint32_t port = 0; port < 40; ++port) {
    TcpSegment out = Out4(kAck | kPsh, 10, 9, 100);
    out.sport = static_cast<uint16_t>(20000 + port);
    EgressAt(BuildTcp(out), kT0 + port * kMs);
  }
  ASSERT_EQ(AllKeys<pp_flow_key>(flows().fd()).size(), 40u);
  const MapMove move = datapath().flow_maps()->MoveTo(16);
  EXPECT_EQ(move.moved, 16u);
  EXPECT_EQ(move.refused, 24u);
  EXPECT_EQ(AllKeys<pp_flow_key>(flows().fd()).size(), 16u);
}

}  // namespace
}  // namespace pping::testing
