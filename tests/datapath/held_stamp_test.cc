// SPDX-License-Identifier: Apache-2.0
// The regular sample a flow holds itself instead of in the timestamp map:
// when it is held, when a stamp goes to the map instead, and when an echo
// matches or releases it, through the real programs.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

class HeldStampTest : public DatapathTest {
 protected:
  // The sampling state of what the flow sends (stamped on egress).
  pp_dir_sampling Sent() { return OnlyFlow(flows().fd()).sampling[PP_DIR_EGRESS]; }
  size_t MapStamps() { return EntryCount<pp_packet_key>(timestamps().fd()); }

  // Moves the held sample `by` into the past, as if it had waited that long.
  void AgeHeldSample(uint64_t by) {
    const pp_flow_key key = OnlyFlowKey(flows().fd());
    pp_flow_state state = OnlyFlow(flows().fd());
    state.sampling[PP_DIR_EGRESS].held_ns -= by;
    ASSERT_EQ(bpf_map_update_elem(flows().fd(), &key, &state, BPF_EXIST), 0);
  }
};

TEST_F(HeldStampTest, RegularSampleIsHeldByTheFlowNotTheMap) {
  Egress(BuildTcp(Out4(kAck | kPsh, 10, 9, 100)));
  EXPECT_EQ(MapStamps(), 0u);
  EXPECT_EQ(Sent().held_identifier, 10u);
  EXPECT_GT(Sent().held_ns, PP_HELD_WRITING);
  Ingress(BuildTcp(In4(kAck, 90, 10)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  EXPECT_EQ(Sent().held_ns, 0u) << "a matched sample is released";
}

TEST_F(HeldStampTest, SampleDueWhileOneIsHeldGoesToTheMap) {
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));  // held
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));  // no rate limit here: due at once
  EXPECT_EQ(MapStamps(), 1u);
  EXPECT_EQ(Sent().held_identifier, 1u);
  Ingress(BuildTcp(In4(kAck, 90, 1)));
  Ingress(BuildTcp(In4(kAck, 91, 2)));
  EXPECT_EQ(Tcp4().rtt_count, 2u);
  EXPECT_EQ(MapStamps(), 0u);
}

TEST_F(HeldStampTest, BurstStampsGoToTheMap) {
  DatapathOptions options = UnsampledOptions();
  options.sampling.rate_limit = std::chrono::milliseconds(10'000);
  options.sampling.burst_count = 2;
  options.sampling.burst_window = std::chrono::milliseconds(500);
  Load(options);
  for (uint32_t tsval = 1; tsval <= 3; ++tsval) Egress(BuildTcp(Out4(kAck | kPsh, tsval, 9, 100)));
  EXPECT_EQ(Sent().held_identifier, 1u);
  EXPECT_EQ(MapStamps(), 2u);
}

TEST_F(HeldStampTest, EchoPastTheHeldSampleReleasesIt) {
  Egress(BuildTcp(Out4(kAck | kPsh, 5, 9, 100)));
  Egress(BuildTcp(Out4(kAck, 6, 9, 0)));  // a bare ACK: never stamped, but echoed
  Ingress(BuildTcp(In4(kAck, 90, 6)));    // 5 can no longer be echoed
  EXPECT_EQ(Sent().held_ns, 0u);
  Ingress(BuildTcp(In4(kAck, 91, 5)));  // reordered: too late
  EXPECT_EQ(Tcp4().rtt_count, 0u);
  Egress(BuildTcp(Out4(kAck | kPsh, 7, 91, 100)));
  EXPECT_EQ(MapStamps(), 0u) << "the next sample is held again";
  EXPECT_EQ(Sent().held_identifier, 7u);
}

TEST_F(HeldStampTest, OlderEchoKeepsTheHeldSample) {
  Egress(BuildTcp(Out4(kAck | kPsh, 5, 9, 100)));
  Ingress(BuildTcp(In4(kAck, 90, 4)));
  EXPECT_EQ(Sent().held_identifier, 5u);
  Ingress(BuildTcp(In4(kAck, 91, 5)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
}

// Like a packet_ts entry, a held sample counts for at least 1 s (longer
// for flows with long RTTs), not after.
TEST_F(HeldStampTest, HeldSamplePastItsLifetimeIsNotCountedAndIsReplaced) {
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  AgeHeldSample(2 * kSecond);
  Ingress(BuildTcp(In4(kAck, 90, 1)));
  EXPECT_EQ(Tcp4().rtt_count, 0u);
  EXPECT_EQ(Sent().held_ns, 0u);
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 90, 100)));
  AgeHeldSample(2 * kSecond);  // never echoed: the next sample takes its place
  Egress(BuildTcp(Out4(kAck | kPsh, 3, 90, 100)));
  EXPECT_EQ(Sent().held_identifier, 3u);
  EXPECT_EQ(MapStamps(), 0u);
}

TEST_F(HeldStampTest, HeldSampleWithinItsLifetimeCountsItsWholeWait) {
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  AgeHeldSample(kSecond / 2);
  Ingress(BuildTcp(In4(kAck, 90, 1)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  EXPECT_GE(Tcp4().rtt_min_ns, kSecond / 2);
}

// The flow of a closing packet may be gone before its echo (the second
// FIN closes it): that stamp goes to the map, where the echo still finds it.
TEST_F(HeldStampTest, ClosingPacketStampsIntoTheMap) {
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));
  Ingress(BuildTcp(In4(kAck, 90, 2)));
  Egress(BuildTcp(Out4(kAck | kFin, 3, 90, 0)));
  EXPECT_EQ(MapStamps(), 1u);
  EXPECT_EQ(Sent().held_ns, 0u);
}

TEST_F(HeldStampTest, IcmpEchoesUseTheHeldSample) {
  Egress(BuildEcho(kLocal4, kRemote4, true, 4, 1));
  EXPECT_EQ(MapStamps(), 0u);
  Ingress(BuildEcho(kRemote4, kLocal4, false, 4, 1));
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).rtt_count, 1u);
}

TEST_F(HeldStampTest, IncludeLocalHoldsTheIngressSampleToo) {
  DatapathOptions options = UnsampledOptions();
  options.include_local = true;
  Load(options);
  Ingress(BuildTcp(In4(kAck | kPsh, 90, 0, 100)));
  EXPECT_EQ(MapStamps(), 0u);
  EXPECT_EQ(OnlyFlow(flows().fd()).sampling[PP_DIR_INGRESS].held_identifier, 90u);
  Egress(BuildTcp(Out4(kAck, 1, 90, 0)));
  EXPECT_EQ(Tcp4(PP_DIR_EGRESS).rtt_count, 1u);
}

}  // namespace
}  // namespace pping::testing
