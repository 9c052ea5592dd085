// SPDX-License-Identifier: Apache-2.0
// RTTs of TCP flows without timestamps, from sequence and ACK numbers,
// through the real programs: what is sampled, and every case that must
// yield nothing. Packets carry their own times (a datapath loaded for
// replay), so each RTT is known exactly.
#include <gtest/gtest.h>

#include <cstdint>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

// A segment without timestamps, local -> remote or back.
Frame Out(uint8_t flags, uint32_t seq, uint32_t ack, size_t payload, const char* local = kLocal4,
          const char* remote = kRemote4) {
  return BuildTcp({.src = local,
                   .dst = remote,
                   .sport = 40000,
                   .dport = 80,
                   .flags = flags,
                   .payload = payload,
                   .seq = seq,
                   .ack = ack});
}
Frame In(uint8_t flags, uint32_t seq, uint32_t ack, size_t payload = 0, const char* local = kLocal4,
         const char* remote = kRemote4) {
  return BuildTcp({.src = remote,
                   .dst = local,
                   .sport = 80,
                   .dport = 40000,
                   .flags = flags,
                   .payload = payload,
                   .seq = seq,
                   .ack = ack});
}

class SeqAckTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped()) return;
    Load(Replaying());
  }
  // The local side sends `payload` bytes at `seq` at time `t_ms`.
  void Send(uint32_t seq, size_t payload, uint64_t t_ms) { EgressAt(Out(kAck | kPsh, seq, kPeer, payload), At(t_ms)); }
  // The remote side acknowledges up to `ack` at `t_ms`.
  void Ack(uint32_t ack, uint64_t t_ms) { IngressAt(In(kAck, kPeer, ack), At(t_ms)); }
  static uint64_t At(uint64_t t_ms) { return kT0 + t_ms * kMs; }
};

TEST_F(SeqAckTest, TimesNewDataUntilTheFirstAckThatCoversIt) {
  Send(kIsn, 100, 0);  // the first segment seen: maybe a retransmission, not timed
  Send(kIsn + 100, 100, 1);
  Ack(kIsn + 100, 3);  // covers the first only
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
  Ack(kIsn + 200, 11);
  const PrefixStats s = SeqAck4();
  EXPECT_EQ(s.rtt_count, 1u);
  EXPECT_EQ(s.rtt_min_ns, 10 * kMs);
  EXPECT_EQ(Tcp4().rtt_count, 0u) << "kept apart from the timestamp method";
  EXPECT_EQ(Tcp4().tx_packets, 2u) << "traffic stays under the identifier key";
  EXPECT_EQ(SeqAck4().tx_packets, 0u);
  EXPECT_EQ(Counters().rtt_samples, 1u);
}

// A delayed ACK of two segments was sent when the second arrived: timing
// the first to it would add the gap between the two sends.
TEST_F(SeqAckTest, AnAckBeyondTheTimedSegmentEndsItWithoutASample) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);  // timed
  Send(kIsn + 200, 100, 3);  // one timed at a time
  Ack(kIsn + 300, 23);
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
  Send(kIsn + 300, 100, 24);  // timed: the last was given up
  Ack(kIsn + 400, 44);
  EXPECT_EQ(SeqAck4().rtt_count, 1u);
  EXPECT_EQ(SeqAck4().rtt_min_ns, 20 * kMs);
}

TEST_F(SeqAckTest, RepeatedAndReorderedAcksCoverNothingNew) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);
  Send(kIsn + 200, 100, 2);
  Ack(kIsn + 200, 11);                                        // ends the first sample
  Send(kIsn + 300, 100, 12);                                  // timed
  IngressAt(In(kAck | kPsh, kPeer, kIsn + 200, 50), At(13));  // the same ACK on data: not a duplicate ACK
  Ack(kIsn + 100, 14);                                        // reordered: older than the last
  EXPECT_EQ(SeqAck4().rtt_count, 1u);
  Ack(kIsn + 400, 22);
  EXPECT_EQ(SeqAck4().rtt_count, 2u);
  EXPECT_EQ(SeqAck4().rtt_max_ns, 10 * kMs);
}

// Karn's rule: once bytes up to the timed segment's end are sent again, the
// ACK that covers them may answer either copy.
TEST_F(SeqAckTest, ARetransmissionGivesTheSampleUpAndIsNeverTimed) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);  // timed
  Send(kIsn + 200, 100, 2);
  Send(kIsn + 100, 100, 200);  // resent (a retransmission timeout)
  Ack(kIsn + 300, 210);
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
  Send(kIsn + 300, 100, 211);  // new data again
  Ack(kIsn + 400, 216);
  EXPECT_EQ(SeqAck4().rtt_count, 1u);
  EXPECT_EQ(SeqAck4().rtt_min_ns, 5 * kMs);
}

TEST_F(SeqAckTest, ARetransmissionPastTheTimedSegmentKeepsIt) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);  // timed
  Send(kIsn + 200, 100, 2);
  Send(kIsn + 200, 100, 3);  // resends bytes after the timed ones only
  Ack(kIsn + 200, 7);
  EXPECT_EQ(SeqAck4().rtt_min_ns, 6 * kMs);
}

// A segment lost before the hook shows up when it is sent again: below the
// highest sequence number seen, so the sample behind the gap is given up.
TEST_F(SeqAckTest, AGapFilledLaterGivesUpTheSampleBehindIt) {
  Send(kIsn, 100, 0);
  Send(kIsn + 200, 100, 1);  // kIsn + 100 never passed: timed, behind a gap
  Send(kIsn + 100, 100, 50);
  Ack(kIsn + 300, 60);
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
}

TEST_F(SeqAckTest, AnAckOfDataNeverSentIsIgnoredAndForgotten) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);
  Ack(kIsn + 100'000, 2);  // forged, or the hook missed the data
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
  Ack(kIsn + 200, 9);  // the genuine ACK is not hidden by it
  EXPECT_EQ(SeqAck4().rtt_min_ns, 8 * kMs);
}

// Before the first segment of the data, an ACK cannot be judged: one forged
// then must not be kept as the highest ACK seen and hide the genuine ones.
TEST_F(SeqAckTest, AnAckBeforeAnyDataIsIgnoredAndForgotten) {
  IngressAt(In(kAck | kPsh, kPeer, kIsn + 0x7fff0000, 100), At(0));  // opens the flow: ACKs "far ahead"
  Send(kIsn, 100, 1);
  Send(kIsn + 100, 100, 2);
  Ack(kIsn + 200, 9);
  EXPECT_EQ(SeqAck4().rtt_min_ns, 7 * kMs);
}

// A segment overtaken by a later one: the receiver repeats its ACK for the
// gap, and the ACK that ends the timed segment waits for the late one.
TEST_F(SeqAckTest, ADuplicateAckGivesTheTimedSegmentUp) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);   // timed
  Send(kIsn + 200, 100, 2);   // delayed on the way
  Ack(kIsn + 200, 10);        // a sample of 9 ms
  Send(kIsn + 300, 100, 11);  // timed, and arrives before the delayed one
  Ack(kIsn + 200, 12);        // ... so the receiver repeats its ACK
  Ack(kIsn + 400, 30);        // the delayed one came: ends both
  EXPECT_EQ(SeqAck4().rtt_count, 1u);
  EXPECT_EQ(SeqAck4().rtt_max_ns, 9 * kMs);
}

// Timestamps coming in may be forged: only our own side sending them turns
// the flow to timestamps.
TEST_F(SeqAckTest, TimestampsComingInDoNotTurnTheFlow) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);  // timed
  IngressAt(BuildTcp({.src = kRemote4,
                      .dst = kLocal4,
                      .sport = 80,
                      .dport = 40000,
                      .flags = kAck,
                      .timestamps = TcpTimestamps{50, 0x7fffffff},
                      .seq = kPeer,
                      .ack = kIsn + 0x7fff0000}),
            At(2));
  Ack(kIsn + 200, 6);
  EXPECT_EQ(SeqAck4().rtt_min_ns, 5 * kMs);
  EXPECT_FALSE(OnlyFlow(flows().fd()).flags & PP_FLOW_TIMESTAMPS);
}

TEST_F(SeqAckTest, KeepAlivesWindowProbesAndPureAcksAreNotTimed) {
  Send(kIsn, 100, 0);
  EgressAt(Out(kAck, kIsn + 100, kPeer, 0), At(1));  // a pure ACK
  EgressAt(Out(kAck, kIsn + 99, kPeer, 0), At(2));   // a keep-alive or zero-window probe
  EgressAt(Out(kAck, kIsn + 99, kPeer, 1), At(3));   // a keep-alive with one old byte
  Ack(kIsn + 100, 20);
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
  Send(kIsn + 100, 100, 21);  // after all that, new data is timed
  Ack(kIsn + 200, 24);
  EXPECT_EQ(SeqAck4().rtt_min_ns, 3 * kMs);
}

TEST_F(SeqAckTest, SequenceNumbersWrap) {
  const uint32_t near_wrap = 0xffffff00;
  Send(near_wrap, 100, 0);
  Send(near_wrap + 100, 0x200, 1);  // ends past zero
  Ack(near_wrap + 100, 2);
  Ack(near_wrap + 100 + 0x200, 5);
  EXPECT_EQ(SeqAck4().rtt_count, 1u);
  EXPECT_EQ(SeqAck4().rtt_min_ns, 4 * kMs);
}

TEST_F(SeqAckTest, ResetsNeitherAreTimedNorAcknowledge) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);
  IngressAt(In(kRst | kAck, kPeer, kIsn + 200), At(5));
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
}

TEST_F(SeqAckTest, TheRateLimitSpacesSamples) {
  DatapathOptions options = Replaying();
  options.sampling.rate_limit = std::chrono::milliseconds(100);
  Load(options);
  Send(kIsn, 100, 0);
  for (uint32_t i = 1; i <= 40; ++i) {  // a segment and its ACK every 5 ms
    Send(kIsn + 100 * i, 100, 5 * i);
    Ack(kIsn + 100 * (i + 1), 5 * i + 2);
  }
  EXPECT_EQ(SeqAck4().rtt_count, 2u);  // at 5 ms and 105 ms
  EXPECT_GT(Counters().stamps_rate_limited, 0u);
}

TEST_F(SeqAckTest, Ipv6) {
  EgressAt(Out(kAck | kPsh, kIsn, kPeer, 100, kLocal6, kRemote6), At(0));
  EgressAt(Out(kAck | kPsh, kIsn + 100, kPeer, 100, kLocal6, kRemote6), At(1));
  IngressAt(In(kAck, kPeer, kIsn + 200, 0, kLocal6, kRemote6), At(8));
  const PrefixStats s = Stats("2001:db8:bb::", 48, PP_PROTO_TCP, PP_DIR_INGRESS, PP_METHOD_SEQ_ACK);
  EXPECT_EQ(s.rtt_count, 1u);
  EXPECT_EQ(s.rtt_min_ns, 7 * kMs);
}

TEST_F(SeqAckTest, IncludeLocalTimesTheRemoteSidesDataToo) {
  DatapathOptions options = Replaying();
  options.include_local = true;
  Load(options);
  IngressAt(In(kAck | kPsh, kPeer, kIsn, 100), At(0));
  IngressAt(In(kAck | kPsh, kPeer + 100, kIsn, 100), At(1));
  EgressAt(Out(kAck, kIsn, kPeer + 200, 0), At(2));
  EXPECT_EQ(SeqAck4(PP_DIR_EGRESS).rtt_min_ns, 1 * kMs);
  EXPECT_EQ(SeqAck4(PP_DIR_INGRESS).rtt_count, 0u);
}

TEST_F(SeqAckTest, AFlowThatShowsTimestampsUsesThem) {
  Send(kIsn, 100, 0);
  Send(kIsn + 100, 100, 1);  // timed on sequence numbers
  EgressAt(BuildTcp({.src = kLocal4,
                     .dst = kRemote4,
                     .flags = kAck | kPsh,
                     .timestamps = TcpTimestamps{7, 3},
                     .payload = 100,
                     .seq = kIsn + 200,
                     .ack = kPeer}),
           At(2));
  Ack(kIsn + 300, 9);  // covers the sequence sample, which was dropped
  IngressAt(BuildTcp({.src = kRemote4,
                      .dst = kLocal4,
                      .sport = 80,
                      .dport = 40000,
                      .flags = kAck,
                      .timestamps = TcpTimestamps{50, 7},
                      .seq = kPeer,
                      .ack = kIsn + 300}),
            At(10));
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
  EXPECT_EQ(Tcp4().rtt_min_ns, 8 * kMs);
  const pp_flow_state flow = OnlyFlow(flows().fd());
  EXPECT_TRUE(flow.flags & PP_FLOW_TIMESTAMPS);
  Send(kIsn + 300, 100, 11);  // without timestamps again: not followed
  Send(kIsn + 400, 100, 12);
  Ack(kIsn + 500, 14);
  EXPECT_EQ(SeqAck4().rtt_count, 0u);
}

TEST_F(SeqAckTest, ATruncatedHeaderGivesNothing) {
  const Frame data = Out(kAck | kPsh, kIsn, kPeer, 100);
  EgressAt(Truncate(data, 14 + 20 + 12), At(0));
  EXPECT_EQ(Counters().truncated_packets, 1u);
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u);
}

}  // namespace
}  // namespace pping::testing
