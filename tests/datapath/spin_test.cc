// SPDX-License-Identifier: Apache-2.0
// RTTs from the QUIC spin bit through the real programs: a spinning flow
// gives its round trip once the edges are trusted; a constant bit, a
// random (greased) bit, reordered packets, long headers and other ports
// give nothing. Packets carry their own times (a datapath loaded for
// replay), so each RTT is known exactly.
#include <gtest/gtest.h>

#include <cstdint>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

constexpr uint64_t kUs = 1'000;
constexpr uint16_t kClientPort = 50000;

// A QUIC packet of 40 bytes: a short header with the spin bit, or a long
// header (the handshake's). `fixed_bit` false: the fixed bit greased
// (RFC 9287), as a sender may when its peer allows it.
Frame Quic(bool out, bool spin, bool long_header = false, uint16_t server_port = 443, bool fixed_bit = true) {
  std::vector<uint8_t> payload(40, 0x5c);
  payload[0] = long_header ? 0xc3 : static_cast<uint8_t>((fixed_bit ? 0x41 : 0x01) | (spin ? 0x20 : 0));
  return out ? BuildUdp(kLocal4, kRemote4, kClientPort, server_port, payload)
             : BuildUdp(kRemote4, kLocal4, server_port, kClientPort, payload);
}

class SpinTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped()) return;
    Load(Replaying());
  }
  PrefixStats Quic4(uint8_t matched_on = PP_DIR_INGRESS) {
    Sync();
    return Lookup({ParseAddress("192.0.2.0"), 96 + 24, PP_PROTO_UDP, matched_on, PP_METHOD_SPIN});
  }
  // The local side is the client and inverts the bit it last received; the
  // server copies it. The client's edge leaves every 20 ms, the server's
  // comes back 19.9 ms later (the round trip), and the client flips again
  // 0.1 ms after that (its reaction); three packets each way per half
  // period. `reorder_at`: in that round, one old-valued server packet
  // arrives just after the server's edge.
  void Spin(unsigned rounds, unsigned reorder_at = ~0u, bool fixed_bit = true) {
    const auto quic = [fixed_bit](bool out, bool spin) { return Quic(out, spin, false, 443, fixed_bit); };
    for (unsigned k = 0; k < rounds; ++k) {
      const uint64_t t = kT0 + k * 20 * kMs;
      const bool value = k % 2;
      for (uint64_t i = 0; i < 3; ++i) EgressAt(quic(true, value), t + i * kMs);
      for (uint64_t i = 0; i < 3; ++i) IngressAt(quic(false, !value), t + 2 * kMs + i * kMs);
      IngressAt(quic(false, value), t + kRtt);
      if (k == reorder_at) IngressAt(quic(false, !value), t + kRtt + 50 * kUs);
    }
  }
  static constexpr uint64_t kRtt = 19'900 * kUs;
};

TEST_F(SpinTest, ASpinningFlowGivesItsRoundTrip) {
  Spin(30);
  const PrefixStats s = Quic4();
  EXPECT_GE(s.rtt_count, 15u);
  EXPECT_EQ(s.rtt_min_ns, kRtt);
  EXPECT_EQ(s.rtt_max_ns, kRtt);
  EXPECT_EQ(Quic4(PP_DIR_EGRESS).rtt_count, 0u) << "the local reaction time is off by default";
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_UDP).rx_packets, 30u * 4) << "its traffic counts as UDP";
}

TEST_F(SpinTest, EdgesAreTrustedOnlyAfterARunOfValidOnes) {
  Spin(4);  // eight edges: not yet trusted
  EXPECT_EQ(Quic4().rtt_count, 0u);
}

TEST_F(SpinTest, AConstantBitGivesNothing) {
  for (uint64_t i = 0; i < 200; ++i) {
    EgressAt(Quic(true, false), kT0 + i * kMs);
    IngressAt(Quic(false, false), kT0 + i * kMs + 500 * kUs);
  }
  EXPECT_EQ(Quic4().rtt_count, 0u);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 1u);
}

// Endpoints that do not spin may set the bit at random on every packet.
TEST_F(SpinTest, ARandomBitGivesNothingAndIsTakenForGreased) {
  uint32_t state = 12345;
  const auto random_bit = [&state] {
    state = state * 1103515245 + 12345;
    return (state >> 16) & 1;
  };
  for (uint64_t i = 0; i < 2000; ++i) {
    const bool out = random_bit();
    (out ? static_cast<void>(EgressAt(Quic(true, random_bit()), kT0 + i * 300 * kUs))
         : static_cast<void>(IngressAt(Quic(false, random_bit()), kT0 + i * 300 * kUs)));
  }
  EXPECT_EQ(Quic4().rtt_count, 0u);
  EXPECT_EQ(Quic4(PP_DIR_EGRESS).rtt_count, 0u);
  EXPECT_TRUE(OnlyFlow(flows().fd()).spin.greased);
}

// A packet sent before an edge but arriving after it would flip the bit
// back and forth: it makes no edge.
TEST_F(SpinTest, APacketReorderedAcrossAnEdgeMakesNone) {
  Spin(40, 12);
  const PrefixStats s = Quic4();
  EXPECT_GE(s.rtt_count, 10u);
  EXPECT_EQ(s.rtt_min_ns, kRtt);
  EXPECT_EQ(s.rtt_max_ns, kRtt);
  EXPECT_FALSE(OnlyFlow(flows().fd()).spin.greased);
}

// Many copies of one stray (or forged) packet count as one strike: they
// cannot make a spinning flow look greased.
TEST_F(SpinTest, RepeatsOfOneStrayPacketStrikeOnce) {
  Spin(20);
  const uint64_t t = kT0 + 20 * 20 * kMs;
  EgressAt(Quic(true, false), t);                                                   // round 20's edge
  for (uint64_t i = 1; i <= 40; ++i) EgressAt(Quic(true, true), t + i * 10 * kUs);  // the old value, again and again
  EXPECT_FALSE(OnlyFlow(flows().fd()).spin.greased);
  EXPECT_EQ(OnlyFlow(flows().fd()).spin.invalid, 1u);
}

// Any UDP packet on a QUIC port can look like a short header: only our own
// side's packets open a QUIC flow, so spoofed ones cannot fill the map.
TEST_F(SpinTest, OnlyOurOwnSidesPacketsOpenAFlow) {
  for (uint64_t i = 0; i < 40; ++i) IngressAt(Quic(false, i % 2), kT0 + i * kMs);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u);
  EgressAt(Quic(true, false), kT0 + 50 * kMs);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 1u);
}

TEST_F(SpinTest, IncludeLocalAddsTheLocalReaction) {
  DatapathOptions options = Replaying();
  options.include_local = true;
  Load(options);
  Spin(30);
  const PrefixStats local = Quic4(PP_DIR_EGRESS);
  EXPECT_GE(local.rtt_count, 15u);
  EXPECT_EQ(local.rtt_min_ns, 20 * kMs - kRtt);  // from the server's edge to the client's flip
  EXPECT_EQ(local.rtt_max_ns, 20 * kMs - kRtt);
}

// ngtcp2, for one, clears the fixed bit in every packet of a connection
// at random once its peer allows it: such a flow is still QUIC.
TEST_F(SpinTest, AGreasedFixedBitStillSpins) {
  Spin(30, ~0u, false);
  const PrefixStats s = Quic4();
  EXPECT_GE(s.rtt_count, 15u);
  EXPECT_EQ(s.rtt_min_ns, kRtt);
  EXPECT_EQ(s.rtt_max_ns, kRtt);
}

TEST_F(SpinTest, LongHeadersAndOtherPortsAreNotQuic) {
  for (uint64_t i = 0; i < 40; ++i) {
    EgressAt(Quic(true, i % 2, true), kT0 + i * kMs);
    IngressAt(Quic(false, i % 2, false, 5000), kT0 + i * kMs);
  }
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u);
}

TEST_F(SpinTest, OtherPortsCanBeNamed) {
  DatapathOptions options = Replaying();
  options.quic_ports = {8443};
  Load(options);
  for (unsigned k = 0; k < 30; ++k) {
    const uint64_t t = kT0 + k * 20 * kMs;
    EgressAt(Quic(true, k % 2, false, 8443), t);
    IngressAt(Quic(false, k % 2, false, 8443), t + 20 * kMs - 10 * kUs);
  }
  EXPECT_GE(Quic4().rtt_count, 5u);
}

}  // namespace
}  // namespace pping::testing
