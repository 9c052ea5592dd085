// SPDX-License-Identifier: Apache-2.0
// Retransmitted TCP segments per prefix, through the real programs: what
// counts on each side, what must not (new data, keep-alives, reordering,
// forged segments), super-packets, and spurious retransmissions told by
// the ACK that follows them (Eifel).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

struct Seg {
  uint32_t seq;
  size_t payload;
  std::optional<TcpTimestamps> ts;  // none: a flow without timestamps
  uint32_t ack;
  uint8_t flags = kAck | kPsh;
};

Frame Build(const Seg& s, bool out, const char* local = kLocal4, const char* remote = kRemote4) {
  return BuildTcp({.src = out ? local : remote,
                   .dst = out ? remote : local,
                   .sport = static_cast<uint16_t>(out ? 40000 : 80),
                   .dport = static_cast<uint16_t>(out ? 80 : 40000),
                   .flags = s.flags,
                   .timestamps = s.ts,
                   .payload = s.payload,
                   .seq = s.seq,
                   .ack = s.ack});
}

class RetransmitTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped()) return;
    Load(Replaying());
  }
  // The local side sends `payload` bytes at `seq` with TSval `tsval`.
  void Send(uint32_t seq, size_t payload, uint32_t tsval, uint16_t segments = 0) {
    EgressAt(Build({seq, payload, TcpTimestamps{tsval, 1}, kPeer}, true), Next(), 0, segments);
  }
  // The remote side sends `payload` bytes at `seq`, acknowledging `ack`.
  void Receive(uint32_t seq, size_t payload, uint32_t tsval, uint32_t ack = kIsn + 100) {
    IngressAt(Build({seq, payload, TcpTimestamps{tsval, 1}, ack}, false), Next());
  }
  // The remote side acknowledges `ack`, echoing `tsecr`.
  void AckFromPeer(uint32_t ack, uint32_t tsecr) {
    IngressAt(Build({kPeer, 0, TcpTimestamps{900, tsecr}, ack, kAck}, false), Next());
  }
  uint64_t Next() { return kT0 + ++tick_ * kMs; }

 private:
  uint64_t tick_ = 0;
};

TEST_F(RetransmitTest, NewDataIsNoRetransmission) {
  Send(kIsn, 100, 10);
  Send(kIsn + 100, 100, 11);
  Receive(kPeer, 500, 50, kIsn + 200);
  Receive(kPeer + 500, 500, 51, kIsn + 200);
  AckFromPeer(kIsn + 200, 11);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.tx_packets, 2u);
  EXPECT_EQ(s.rx_packets, 3u);
  EXPECT_EQ(s.tx_retransmits + s.rx_retransmits, 0u);
}

TEST_F(RetransmitTest, ResentBytesCountOnTheSideThatSendsThem) {
  Send(kIsn, 100, 10);
  Send(kIsn + 100, 100, 11);
  Send(kIsn + 100, 100, 30);  // a timeout resends the second
  EXPECT_EQ(Tcp4().tx_retransmits, 1u);
  Send(kIsn + 150, 100, 31);  // half old, half new
  Send(kIsn + 250, 100, 32);  // new again: the end moved with the last
  EXPECT_EQ(Tcp4().tx_retransmits, 2u);
  Receive(kPeer, 500, 50, kIsn + 350);
  Receive(kPeer + 500, 500, 51, kIsn + 350);
  Receive(kPeer, 500, 60, kIsn + 350);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.rx_retransmits, 1u);
  EXPECT_EQ(s.tx_retransmits, 2u);
}

// Seen from its middle, a flow's first segment may be a bare ACK: its
// sequence number is where the sender stands, so data resent next counts.
TEST_F(RetransmitTest, AFlowSeenFromItsMiddleKnowsResentDataByABareAck) {
  Receive(kPeer, 500, 50);  // opens the flow; nothing sent seen yet, nothing to judge its ACK by
  EgressAt(Build({kIsn + 100, 0, TcpTimestamps{10, 50}, kPeer + 500, kAck}, true), Next());
  Send(kIsn, 100, 0x90000000);  // the direction's first TSval seen: none is newer, whatever its value
  EXPECT_EQ(Tcp4().tx_retransmits, 1u);
}

// Until the local side's sequence numbers are known there is nothing to
// judge an arriving segment by: the first would set the end (a forged one
// far ahead, after a forged RST reopened the flow, would make every genuine
// segment look resent).
TEST_F(RetransmitTest, ArrivingSegmentsWaitUntilTheLocalSideIsKnown) {
  Receive(kPeer + 0x40000000, 500, 50);  // opens the flow, forged far ahead
  Receive(kPeer, 500, 51);
  Receive(kPeer + 500, 500, 52);
  EXPECT_EQ(Tcp4().rx_retransmits, 0u);
  EgressAt(Build({kIsn + 100, 0, TcpTimestamps{10, 52}, kPeer + 1000, kAck}, true), Next());
  Receive(kPeer + 1000, 500, 53);
  Receive(kPeer + 1500, 500, 54);
  Receive(kPeer + 1000, 500, 60);
  EXPECT_EQ(Tcp4().rx_retransmits, 1u);
}

// A SYN-ACK leaving sets the local end (the ISN + 1), so the request that
// follows is judged from its first segment on.
TEST_F(RetransmitTest, TheHandshakeSetsTheLocalEnd) {
  EgressAt(Build({kIsn, 0, TcpTimestamps{10, 40}, kPeer + 1, kSyn | kAck}, true), Next());
  Receive(kPeer + 1, 100, 41, kIsn + 1);
  Receive(kPeer + 1, 100, 50, kIsn + 1);
  Receive(kPeer + 1, 100, 51, kIsn + 2);  // acknowledges one byte never sent
  EXPECT_EQ(Tcp4().rx_retransmits, 1u);
}

// An arriving segment that acknowledges plausibly may still be forged: it
// moves the end by at most 4 MiB, or not at all.
TEST_F(RetransmitTest, AnArrivingSegmentFarAheadDoesNotMoveTheEnd) {
  Send(kIsn, 100, 10);
  Receive(kPeer, 500, 50);
  Receive(kPeer + (5u << 20), 500, 51);
  Receive(kPeer + 500, 500, 52);
  Receive(kPeer + 1000, 500, 53);
  EXPECT_EQ(Tcp4().rx_retransmits, 0u);
}

TEST_F(RetransmitTest, CountsOverIpv6TheSameWay) {
  for (uint32_t tsval : {10u, 11u, 30u}) {
    const uint32_t seq = tsval == 11 ? kIsn + 100 : kIsn;
    EgressAt(Build({seq, 100, TcpTimestamps{tsval, 1}, kPeer}, true, kLocal6, kRemote6), Next());
  }
  const PrefixStats s = Stats("2001:db8:bb::", 48, PP_PROTO_TCP);
  EXPECT_EQ(s.tx_packets, 3u);
  EXPECT_EQ(s.tx_retransmits, 1u);
}

TEST_F(RetransmitTest, KeepAlivesAndEmptySegmentsAreNot) {
  Send(kIsn, 100, 10);
  Send(kIsn + 99, 1, 20);  // keep-alive with one byte
  Send(kIsn + 99, 0, 21);  // keep-alive without data (Linux), and a zero-window probe
  EgressAt(Build({kIsn + 100, 0, TcpTimestamps{22, 1}, kPeer, kAck}, true), Next());  // an ACK
  EXPECT_EQ(Tcp4().tx_retransmits, 0u);
  Send(kIsn + 98, 2, 23);  // two bytes: resent data
  EXPECT_EQ(Tcp4().tx_retransmits, 1u);
}

TEST_F(RetransmitTest, AResentFinCountsAndARstNever) {
  Send(kIsn, 100, 10);
  EgressAt(Build({kIsn + 100, 0, TcpTimestamps{11, 1}, kPeer, kAck | kFin}, true), Next());
  EgressAt(Build({kIsn + 100, 0, TcpTimestamps{40, 1}, kPeer, kAck | kFin}, true), Next());
  EXPECT_EQ(Tcp4().tx_retransmits, 1u);
  EgressAt(Build({kIsn, 0, std::nullopt, kPeer, kRst}, true), Next());
  EXPECT_EQ(Tcp4().tx_retransmits, 1u);
}

// Lost before the hook: the hook sees a gap, then the resent bytes fill it.
TEST_F(RetransmitTest, AGapFilledLaterCountsOnce) {
  Send(kIsn, 100, 10);
  Receive(kPeer, 500, 50);
  Receive(kPeer + 1000, 500, 51);  // kPeer + 500 was lost
  Receive(kPeer + 1500, 500, 52);
  Receive(kPeer + 500, 500, 53);
  EXPECT_EQ(Tcp4().rx_retransmits, 1u);
}

// Sent before a segment the hook has already seen: overtaken on the way.
TEST_F(RetransmitTest, AReorderedSegmentIsNoRetransmission) {
  Send(kIsn, 100, 10);
  Receive(kPeer, 500, 50);
  Receive(kPeer + 1000, 500, 51);
  Receive(kPeer + 500, 500, 50);
  EXPECT_EQ(Tcp4().rx_retransmits, 0u);
}

// A blind sender does not know the local side's sequence numbers: its
// segments neither count nor move the end that genuine ones are judged by.
TEST_F(RetransmitTest, ArrivingSegmentsThatAckNothingSentAreIgnored) {
  Send(kIsn, 100, 10);
  Receive(kPeer, 500, 50);
  Receive(kPeer + 100'000, 500, 51, kIsn + 0x40000000);  // far ahead, acking the unsent
  Receive(kPeer, 500, 52, kIsn - 0x40000000);            // "resent", acking long ago
  IngressAt(Build({kPeer, 500, TcpTimestamps{53, 1}, kIsn + 100, kPsh}, false), Next());  // no ACK flag
  Receive(kPeer + 500, 500, 54);
  Receive(kPeer + 1000, 500, 55);
  EXPECT_EQ(Tcp4().rx_retransmits, 0u);
  EXPECT_EQ(Tcp4().rx_packets, 6u) << "still counted as traffic";
}

TEST_F(RetransmitTest, ASuperPacketCountsItsSegments) {
  Send(kIsn, 1000, 10);
  Send(kIsn + 1000, 1000, 11);
  Send(kIsn, 1000, 30, /*segments=*/3);
  EXPECT_EQ(Tcp4().tx_retransmits, 3u);
  // 4 segments of 500 bytes, one below the end and three beyond it.
  Send(kIsn + 1500, 2000, 31, /*segments=*/4);
  EXPECT_EQ(Tcp4().tx_retransmits, 4u);
}

// A timeout resent what was in flight, but the ACK that covers it echoes the
// originals' TSval: they had arrived, the retransmissions were needless.
TEST_F(RetransmitTest, EifelShowsASpuriousTimeout) {
  Send(kIsn, 100, 10);
  Send(kIsn + 100, 100, 11);
  Send(kIsn, 100, 40);
  Send(kIsn + 100, 100, 40);
  AckFromPeer(kIsn + 200, 11);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.tx_retransmits, 2u);
  EXPECT_EQ(s.tx_spurious_retransmits, 2u);
}

TEST_F(RetransmitTest, EifelKeepsANeededRetransmissionAndJudgesEachEpisode) {
  Send(kIsn, 100, 10);
  Send(kIsn + 100, 100, 11);
  Send(kIsn + 200, 100, 12);
  Send(kIsn, 100, 40);          // the first was lost
  AckFromPeer(kIsn + 300, 40);  // echoes the copy
  Send(kIsn + 300, 100, 50);
  Send(kIsn + 300, 100, 70);  // too early: its original arrives
  AckFromPeer(kIsn + 400, 50);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.tx_retransmits, 2u);
  EXPECT_EQ(s.tx_spurious_retransmits, 1u);
}

// Only an ACK that covers the retransmission, and nothing unsent, judges it:
// a forged one cannot call a needed retransmission spurious.
TEST_F(RetransmitTest, AcksThatCannotJudgeLeaveTheCheckOpen) {
  Send(kIsn, 100, 10);
  Send(kIsn + 100, 100, 11);
  Send(kIsn, 100, 40);
  AckFromPeer(kIsn, 10);         // covers nothing of it
  AckFromPeer(kIsn + 5000, 10);  // acknowledges the unsent
  EXPECT_EQ(Tcp4().tx_spurious_retransmits, 0u);
  AckFromPeer(kIsn + 200, 40);
  AckFromPeer(kIsn + 200, 10);  // the check is settled: nothing left to judge
  EXPECT_EQ(Tcp4().tx_spurious_retransmits, 0u);
  EXPECT_EQ(Tcp4().tx_retransmits, 1u);
}

// Arriving retransmissions are counted but not judged, and do not hold the
// check from the local side's.
TEST_F(RetransmitTest, OnlyTheLocalSidesRetransmissionsAreJudged) {
  Send(kIsn, 100, 10);
  Receive(kPeer, 500, 50, kIsn + 100);
  Receive(kPeer + 500, 500, 51, kIsn + 100);
  Receive(kPeer, 500, 60, kIsn + 100);
  EgressAt(Build({kIsn + 100, 0, TcpTimestamps{11, 51}, kPeer + 1000, kAck}, true), Next());  // echoes the original
  Send(kIsn + 100, 100, 12);
  Send(kIsn + 100, 100, 40);
  AckFromPeer(kIsn + 200, 12);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.rx_retransmits, 1u);
  EXPECT_EQ(s.tx_retransmits, 1u);
  EXPECT_EQ(s.tx_spurious_retransmits, 1u);
}

// The hook may miss what the local side sends (another interface, a
// super-packet it cannot parse): a check whose covering ACK it cannot see
// is dropped once the end runs 4 MiB past it, so later ones still run.
TEST_F(RetransmitTest, ACheckThatCannotBeSettledMakesWayForTheNext) {
  Send(kIsn, 100, 10);
  Send(kIsn + 100, 100, 11);
  Send(kIsn + 100, 100, 40);         // armed; its ACK is never seen
  Send(kIsn + (5u << 20), 100, 50);  // data the hook saw only the end of
  Send(kIsn + (5u << 20), 100, 70);  // a new check
  AckFromPeer(kIsn + (5u << 20) + 100, 50);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.tx_retransmits, 2u);
  EXPECT_EQ(s.tx_spurious_retransmits, 1u);
}

TEST_F(RetransmitTest, FlowsWithoutTimestampsCountWithoutTheSpuriousCheck) {
  for (auto [seq, flags] : {std::pair{kIsn, kAck | kPsh}, {kIsn + 100, kAck | kPsh}, {kIsn, kAck | kPsh}}) {
    EgressAt(Build({seq, 100, std::nullopt, kPeer, static_cast<uint8_t>(flags)}, true), Next());
  }
  IngressAt(Build({kPeer, 0, std::nullopt, kIsn + 200, kAck}, false), Next());
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.tx_retransmits, 1u);
  EXPECT_EQ(s.tx_spurious_retransmits, 0u);
  EXPECT_EQ(SeqAck4().rtt_count, 0u) << "Karn: nothing timed across the resend";
}

TEST_F(RetransmitTest, NothingIsCountedWhenSwitchedOff) {
  DatapathOptions options = Replaying();
  options.track_retransmits = false;
  Load(options);
  Send(kIsn, 100, 10);
  Send(kIsn + 100, 100, 11);
  Send(kIsn, 100, 40);
  AckFromPeer(kIsn + 200, 11);
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.tx_packets, 3u);
  EXPECT_EQ(s.tx_retransmits + s.tx_spurious_retransmits, 0u);
  EXPECT_EQ(OnlyFlow(flows().fd()).flags & (PP_FLOW_SENT_KNOWN_EGRESS | PP_FLOW_SENT_KNOWN_INGRESS), 0u);
}

}  // namespace
}  // namespace pping::testing
