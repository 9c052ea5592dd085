// SPDX-License-Identifier: Apache-2.0
// Echoes from anyone who knows a flow's four-tuple, through the real
// programs: ACKs with random TSecr and ICMP replies with random sequence
// numbers between the genuine ones cost the flow no sample, and are
// counted; an echo of a bare ACK's TSval, which no stamp holds, still
// ends the sample it passed; no sample outlives the lifetime ceiling.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

class ForgedEchoTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped()) return;
    Load(Replaying());
  }
  pp_dir_sampling Sent() { return OnlyFlow(flows().fd()).sampling[PP_DIR_EGRESS]; }

  // 100 data segments 10 ms apart, each echoed 5 ms later; with `forged`
  // ACKs of random TSval and TSecr from the peer's address and port
  // before each echo.
  void Exchange(unsigned forged) {
    std::mt19937 random(7);
    for (uint32_t k = 0; k < 100; ++k) {
      const uint64_t t = kT0 + k * 10 * kMs;
      EgressAt(BuildTcp(Out4(kAck | kPsh, 1000 + k, 500 + k, 100)), t);
      for (unsigned i = 0; i < forged; ++i) {
        IngressAt(BuildTcp(In4(kAck, random(), random())), t + kMs + i * 10'000);
      }
      IngressAt(BuildTcp(In4(kAck, 500 + k + 1, 1000 + k)), t + 5 * kMs);
    }
  }
};

TEST_F(ForgedEchoTest, RandomTsecrsCostAFlowNoSample) {
  Exchange(40);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.rtt_count, 100u) << "every genuine echo gave its sample";
  EXPECT_EQ(s.rtt_min_ns, 5 * kMs);
  EXPECT_EQ(s.rtt_max_ns, 5 * kMs);
  EXPECT_GT(Counters().echoes_implausible, 100u) << "about half of 4,000 forged echoes were newer than the held one";
}

TEST_F(ForgedEchoTest, WithoutForgeriesNothingIsImplausible) {
  Exchange(0);
  EXPECT_EQ(Tcp4().rtt_count, 100u);
  EXPECT_EQ(Counters().echoes_implausible, 0u);
}

// Samples that go to the timestamp map (a burst) keep it open for their
// echoes too: a forged echo past the newest stamp does not close it.
TEST_F(ForgedEchoTest, ForgedEchoesDoNotCloseTheTimestampMap) {
  EgressAt(BuildTcp(Out4(kAck | kPsh, 10, 9, 100)), kT0);          // held
  EgressAt(BuildTcp(Out4(kAck | kPsh, 11, 9, 100)), kT0 + kMs);    // to the map
  IngressAt(BuildTcp(In4(kAck, 90, 0x7000'0000)), kT0 + 2 * kMs);  // far past both
  EXPECT_EQ(Sent().held_identifier, 10u);
  EXPECT_GT(Sent().held_ns, PP_HELD_WRITING) << "the held sample stays";
  IngressAt(BuildTcp(In4(kAck, 91, 10)), kT0 + 3 * kMs);
  IngressAt(BuildTcp(In4(kAck, 92, 11)), kT0 + 4 * kMs);
  EXPECT_EQ(Tcp4().rtt_count, 2u) << "both genuine echoes matched";
  EXPECT_EQ(Counters().echoes_implausible, 1u);
}

// The peer may echo the TSval of a bare ACK, which is never stamped: such
// an echo ends the sample it passed, one beyond it does not.
TEST_F(ForgedEchoTest, BareAcksWidenWhatAnEchoMayBe) {
  EgressAt(BuildTcp(Out4(kAck | kPsh, 5, 9, 100)), kT0);
  EgressAt(BuildTcp(Out4(kAck, 8, 9, 0)), kT0 + kMs);
  EXPECT_EQ(Sent().ack_lead, 3u);
  IngressAt(BuildTcp(In4(kAck, 90, 9)), kT0 + 2 * kMs);  // beyond every TSval sent
  EXPECT_GT(Sent().held_ns, PP_HELD_WRITING);
  IngressAt(BuildTcp(In4(kAck, 91, 8)), kT0 + 3 * kMs);  // the bare ACK's
  EXPECT_EQ(Sent().held_ns, 0u);
  EgressAt(BuildTcp(Out4(kAck | kPsh, 12, 91, 100)), kT0 + 4 * kMs);
  EXPECT_EQ(Sent().ack_lead, 0u) << "a new identifier resets the lead";
  EXPECT_EQ(Counters().echoes_implausible, 1u);
}

TEST_F(ForgedEchoTest, RandomIcmpRepliesCostAPingNoSample) {
  std::mt19937 random(11);
  for (uint16_t seq = 1; seq <= 30; ++seq) {
    const uint64_t t = kT0 + seq * kSecond;
    EgressAt(BuildEcho(kLocal4, kRemote4, true, 4, seq), t);
    for (unsigned i = 0; i < 100; ++i) {
      IngressAt(BuildEcho(kRemote4, kLocal4, false, 4, static_cast<uint16_t>(random())), t + kMs + i * 100'000);
    }
    IngressAt(BuildEcho(kRemote4, kLocal4, false, 4, seq), t + 20 * kMs);
  }
  const PrefixStats s = Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP);
  EXPECT_EQ(s.rtt_count, 30u);
  EXPECT_EQ(s.rtt_min_ns, 20 * kMs);
  EXPECT_GT(Counters().echoes_implausible, 0u);
}

// A peer that delays its echoes step by step raises the smoothed RTT,
// and with it how long a stamp waits (8 smoothed RTTs): never beyond 10 s.
TEST_F(ForgedEchoTest, NoStampOutlivesTheCeiling) {
  uint64_t t = kT0;
  uint32_t tsval = 100;
  for (const uint64_t delay_ms : {900, 3000, 6000, 9000}) {  // each within the lifetime it has grown to
    EgressAt(BuildTcp(Out4(kAck | kPsh, tsval, 9, 100)), t);
    IngressAt(BuildTcp(In4(kAck, 90, tsval)), t + delay_ms * kMs);
    t += (delay_ms + 1000) * kMs;
    ++tsval;
  }
  ASSERT_EQ(Tcp4().rtt_count, 4u);
  ASSERT_GT(OnlyFlow(flows().fd()).rtt[PP_DIR_EGRESS].srtt_ns * 8, 20 * kSecond) << "uncapped, 20 s and more";
  EgressAt(BuildTcp(Out4(kAck | kPsh, tsval, 9, 100)), t);
  IngressAt(BuildTcp(In4(kAck, 91, tsval)), t + 10 * kSecond + kMs);
  EXPECT_EQ(Tcp4().rtt_count, 4u) << "an echo after 10 s gives no sample";
  t += 11 * kSecond;
  ++tsval;
  EgressAt(BuildTcp(Out4(kAck | kPsh, tsval, 9, 100)), t);
  IngressAt(BuildTcp(In4(kAck, 92, tsval)), t + 9500 * kMs);
  EXPECT_EQ(Tcp4().rtt_count, 5u) << "one after 9.5 s still does";
}

}  // namespace
}  // namespace pping::testing
