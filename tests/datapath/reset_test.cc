// SPDX-License-Identifier: Apache-2.0
// Every TCP segment drives its flow's lifecycle, timestamps or not: RSTs
// (which Linux sends without options) close flows, and the segments still
// in flight after a RST do not open them again.
#include <gtest/gtest.h>

#include <cstdint>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

// A RST, or RST+ACK, without any option, as Linux sends them.
Frame BareRst(bool from_local, bool with_ack) {
  const uint8_t flags = with_ack ? kRst | kAck : kRst;
  return from_local ? BuildTcp({.src = kLocal4, .dst = kRemote4, .flags = flags})
                    : BuildTcp({.src = kRemote4, .dst = kLocal4, .sport = 80, .dport = 40000, .flags = flags});
}

class ResetTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped()) return;
    Load(Replaying());
  }
  // A flow with timestamps, seen both ways, as of `t_ms`.
  void OpenFlow(uint64_t t_ms) {
    EgressAt(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)), At(t_ms));
    IngressAt(BuildTcp(In4(kAck | kPsh, 90, 1, 100)), At(t_ms + 1));
  }
  size_t Flows() { return EntryCount<pp_flow_key>(flows().fd()); }
  static uint64_t At(uint64_t t_ms) { return kT0 + t_ms * kMs; }
};

TEST_F(ResetTest, ARstWithoutOptionsClosesATimestampedFlow) {
  OpenFlow(0);
  ASSERT_EQ(Flows(), 1u);
  IngressAt(BareRst(false, false), At(5));
  EXPECT_EQ(Flows(), 0u);
  EXPECT_EQ(Counters().flows_closed[PP_CLOSE_RST][1], 1u);
}

TEST_F(ResetTest, ARstAckFromEitherSideClosesIt) {
  OpenFlow(0);
  EgressAt(BareRst(true, true), At(5));
  EXPECT_EQ(Flows(), 0u);
  EXPECT_EQ(Counters().flows_closed[PP_CLOSE_RST][1], 1u);
}

TEST_F(ResetTest, AFlowWithoutTimestampsOpensAndCloses) {
  EgressAt(BuildTcp({.src = kLocal4, .dst = kRemote4, .flags = kAck | kPsh, .payload = 100}), At(0));
  EXPECT_EQ(Flows(), 1u);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], 1u);
  IngressAt(BareRst(false, true), At(1));
  EXPECT_EQ(Flows(), 0u);
  EXPECT_EQ(Counters().flows_closed[PP_CLOSE_RST][1], 1u);
}

TEST_F(ResetTest, DataStillInFlightAfterARstDoesNotReopenTheFlow) {
  OpenFlow(0);
  IngressAt(BareRst(false, false), At(5));                   // the remote resets
  EgressAt(BuildTcp(Out4(kAck | kPsh, 2, 90, 100)), At(6));  // ours, sent before we saw it
  EgressAt(BuildTcp(Out4(kAck | kPsh, 3, 90, 100)), At(1000));
  EXPECT_EQ(Flows(), 0u);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], 1u);
  // Long after, the same ports may carry a flow first seen mid-stream.
  EgressAt(BuildTcp(Out4(kAck | kPsh, 4, 90, 100)), At(5000));
  EXPECT_EQ(Flows(), 1u);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], 2u);
}

// The side that sent a genuine RST has nothing more to say on those ports;
// if it talks on, the RST was forged, and the flow is tracked again at once.
TEST_F(ResetTest, TheResetSideTalkingOnReopensTheFlowAtOnce) {
  OpenFlow(0);
  IngressAt(BareRst(false, false), At(5));       // claims to come from the remote
  IngressAt(BuildTcp(In4(kAck, 91, 1)), At(6));  // the remote, unaware: a bare ACK
  EXPECT_EQ(Flows(), 1u);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_FIRST_PACKET], 2u);
}

TEST_F(ResetTest, ANewHandshakeOnTheSamePortsOpensAtOnce) {
  OpenFlow(0);
  EgressAt(BareRst(true, false), At(5));
  IngressAt(BuildTcp({.src = kRemote4,
                      .dst = kLocal4,
                      .sport = 80,
                      .dport = 40000,
                      .flags = kSyn | kAck,
                      .timestamps = TcpTimestamps{500, 7}}),
            At(10));
  EXPECT_EQ(Flows(), 1u);
  EXPECT_EQ(Counters().flows_opened[PP_OPEN_SYN_ACK], 1u);
}

TEST_F(ResetTest, ARstOfAnUntrackedFlowOpensNothing) {
  IngressAt(BareRst(false, true), At(0));
  EXPECT_EQ(Flows(), 0u);
  EXPECT_EQ(Counters().flows_closed[PP_CLOSE_RST][0] + Counters().flows_closed[PP_CLOSE_RST][1], 0u);
}

}  // namespace
}  // namespace pping::testing
