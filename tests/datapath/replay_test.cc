// SPDX-License-Identifier: Apache-2.0
// A datapath loaded for replay takes each packet's time and length on the
// wire from the run that feeds it (the capture's), not from the clock and
// the frame; a live datapath ignores them.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

using namespace std::chrono_literals;

using ReplayTest = DatapathTest;

TEST_F(ReplayTest, RttsRunOnTheCapturesClock) {
  Load(Replaying());
  EgressAt(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)), kT0);
  IngressAt(BuildTcp(In4(kAck, 900, 100)), kT0 + 20 * kMs);
  EgressAt(BuildEcho(kLocal6, kRemote6, true, 9, 1), kT0 + 30 * kMs);
  IngressAt(BuildEcho(kRemote6, kLocal6, false, 9, 1), kT0 + 30 * kMs + 1234);
  const PrefixStats tcp = Tcp4();
  EXPECT_EQ(tcp.rtt_count, 1u);
  EXPECT_EQ(tcp.rtt_min_ns, 20 * kMs) << "exactly the capture's gap";
  EXPECT_EQ(tcp.rtt_max_ns, 20 * kMs);
  EXPECT_EQ(Stats("2001:db8:bb::", 48, PP_PROTO_ICMPV6).rtt_min_ns, 1234u);
}

TEST_F(ReplayTest, FlowsTimeStampedByTheCapture) {
  Load(Replaying());
  EgressAt(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)), kT0 + 7 * kMs);
  EXPECT_EQ(OnlyFlow(flows().fd()).last_seen_ns, kT0 + 7 * kMs);
}

TEST_F(ReplayTest, BytesAreTheLengthOnTheWire) {
  Load(Replaying());
  const Frame cut = BuildTcp(Out4(kAck | kPsh, 1, 9, 100));  // as captured with a short snap length
  EgressAt(cut, kT0, 1514);
  EgressAt(cut, kT0 + kMs);  // not cut: the frame's own length
  EXPECT_EQ(Tcp4().tx_bytes, 1514u + cut.size());
}

TEST_F(ReplayTest, SuperPacketsGoInByTheirHeadAndCountWhole) {
  Load(Replaying());
  // A GRO super-packet as a capture on the host shows it: far larger than
  // a page, which is all a test run takes, and than 64 KiB on the wire.
  const Frame jumbo = BuildTcp(Out4(kAck | kPsh, 100, 50, 20000));
  ASSERT_EQ(EgressAt(jumbo, kT0, 100'000), PacketRunner::Result::kRan);
  ASSERT_EQ(IngressAt(BuildTcp(In4(kAck, 900, 100)), kT0 + 20 * kMs), PacketRunner::Result::kRan);
  const PrefixStats tcp = Tcp4();
  EXPECT_EQ(tcp.tx_bytes, 100'000u);
  EXPECT_EQ(tcp.rtt_count, 1u) << "its headers were read";
  EXPECT_EQ(tcp.rtt_min_ns, 20 * kMs);
}

TEST_F(ReplayTest, TheKernelRefusesAFrameEndingInsideItsIpHeader) {
  Load(Replaying());
  EXPECT_EQ(EgressAt(Truncate(BuildTcp(Out4(kAck, 1, 9, 0)), 30), kT0), PacketRunner::Result::kRefused);
  EXPECT_EQ(EgressAt(Truncate(BuildEcho(kLocal6, kRemote6, true, 9, 1), 50), kT0), PacketRunner::Result::kRefused);
  EXPECT_EQ(EgressAt(Truncate(BuildTcp(Out4(kAck, 1, 9, 0)), 40), kT0), PacketRunner::Result::kRan)
      << "an IP header whole, its TCP header cut";
}

TEST_F(ReplayTest, ALiveDatapathIgnoresTheGivenTimeAndLength) {
  EgressAt(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)), kT0, 1514);
  IngressAt(BuildTcp(In4(kAck, 900, 100)), kT0 + 20 * kMs);
  const PrefixStats tcp = Tcp4();
  EXPECT_EQ(tcp.rtt_count, 1u);
  EXPECT_LT(tcp.rtt_min_ns, 10 * kMs) << "the clock's gap, not the given one";
  EXPECT_LT(tcp.tx_bytes, 1514u);
}

}  // namespace
}  // namespace pping::testing
