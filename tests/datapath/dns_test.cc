// SPDX-License-Identifier: Apache-2.0
// DNS response times through the real programs: a query to port 53 and the
// response with its id on the same flow, over UDP and TCP, IPv4 and IPv6;
// and every message that must give nothing. Packets carry their own times
// (a datapath loaded for replay), so each response time is known exactly.
#include <gtest/gtest.h>

#include <cstdint>

#include "exporter/cleanup/map_cleaner.h"
#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

constexpr uint16_t kClientPort = 41000;
constexpr uint8_t kNxdomain = 3;

uint64_t At(uint64_t t_ms) { return kT0 + t_ms * kMs; }

Frame Query(const DnsMessage& m, const char* local = kLocal4, const char* remote = kRemote4) {
  return BuildUdp(local, remote, kClientPort, 53, BuildDns(m));
}
Frame Response(DnsMessage m, const char* local = kLocal4, const char* remote = kRemote4) {
  m.response = true;
  return BuildUdp(remote, local, 53, kClientPort, BuildDns(m));
}

class DnsTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped()) return;
    Load(Replaying());
  }
  // Response times of kRemote4's prefix with this response code.
  PrefixStats Dns4(uint8_t proto = PP_PROTO_UDP, uint8_t rcode = 0, uint8_t matched_on = PP_DIR_INGRESS) {
    Sync();
    const PrefixKey key{ParseAddress("192.0.2.0"), 96 + 24, proto, matched_on, PP_METHOD_DNS, rcode};
    return Lookup(key);
  }
};

TEST_F(DnsTest, AResponseIsMatchedToItsQueryOnce) {
  EgressAt(Query({.id = 7}), At(0));
  IngressAt(Response({.id = 7}), At(12));
  IngressAt(Response({.id = 7}), At(13));  // a duplicate
  const PrefixStats s = Dns4();
  EXPECT_EQ(s.rtt_count, 1u);
  EXPECT_EQ(s.rtt_min_ns, 12 * kMs);
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.dns_queries, 1u);
  EXPECT_EQ(c.rtt_samples, 0u) << "a response time is not an RTT sample";
  EXPECT_EQ(EntryCount<pp_flow_key>(flows().fd()), 0u) << "DNS makes no flow state";
  EXPECT_EQ(EntryCount<pp_packet_key>(timestamps().fd()), 0u);
}

TEST_F(DnsTest, TheResponseCodeIsALabel) {
  EgressAt(Query({.id = 1}), At(0));
  EgressAt(Query({.id = 2}), At(0));
  IngressAt(Response({.id = 1}), At(5));
  IngressAt(Response({.id = 2, .rcode = kNxdomain}), At(9));
  EXPECT_EQ(Dns4(PP_PROTO_UDP, 0).rtt_min_ns, 5 * kMs);
  EXPECT_EQ(Dns4(PP_PROTO_UDP, kNxdomain).rtt_min_ns, 9 * kMs);
}

TEST_F(DnsTest, MismatchedIdsPortsAndDirectionsGiveNothing) {
  EgressAt(Query({.id = 7}), At(0));
  IngressAt(Response({.id = 8}), At(1));  // another id
  IngressAt(BuildUdp(kRemote4, kLocal4, 53, kClientPort + 1, BuildDns({.id = 7, .response = true})), At(2));  // port
  IngressAt(BuildUdp(kRemote4, kLocal4, 5353, kClientPort, BuildDns({.id = 7, .response = true})), At(3));    // not 53
  EgressAt(BuildUdp(kLocal4, kRemote4, kClientPort, 53, BuildDns({.id = 7, .response = true})), At(4));       // way
  IngressAt(BuildUdp(kRemote4, kLocal4, 53, kClientPort, BuildDns({.id = 7})), At(5));  // QR clear: a query
  EXPECT_EQ(Dns4().rtt_count, 0u);
  IngressAt(Response({.id = 7}), At(6));
  EXPECT_EQ(Dns4().rtt_min_ns, 6 * kMs) << "the query was still waiting";
}

TEST_F(DnsTest, AResponseWithoutAQueryGivesNothing) {
  IngressAt(Response({.id = 7}), At(6));
  EXPECT_EQ(Dns4().rtt_count, 0u);
  EXPECT_EQ(Counters().dns_queries, 0u);
}

TEST_F(DnsTest, MessagesWithoutOneQuestionOrCutShortAreNotDns) {
  EgressAt(Query({.id = 7, .questions = 0}), At(0));
  EgressAt(Query({.id = 8, .questions = 2}), At(0));
  EgressAt(Truncate(Query({.id = 9}), 14 + 20 + 8 + 11), At(0));  // the DNS header cut
  EXPECT_EQ(Counters().dns_queries, 0u);
  EXPECT_EQ(Counters().truncated_packets, 0u) << "the UDP datagram itself was whole";
  IngressAt(Response({.id = 7, .questions = 0}), At(3));
  EXPECT_EQ(Dns4().rtt_count, 0u);
}

// A client that sends its query again with the same id cannot tell which
// copy a response answers: Karn's rule, as for TCP.
TEST_F(DnsTest, ARetriedQueryGivesNoSample) {
  EgressAt(Query({.id = 7}), At(0));
  EgressAt(Query({.id = 7}), At(1000));
  IngressAt(Response({.id = 7}), At(1010));
  EXPECT_EQ(Dns4().rtt_count, 0u);
  EXPECT_EQ(Counters().dns_queries, 1u);
  EXPECT_EQ(EntryCount<pp_packet_key>(timestamps().fd()), 0u) << "answered: nothing left to expire";
}

TEST_F(DnsTest, AnAnswerAfterTheTimeoutIsNoSampleAndCountsUnanswered) {
  EgressAt(Query({.id = 7}), At(0));
  IngressAt(Response({.id = 7}), At(5001));
  EXPECT_EQ(Dns4().rtt_count, 0u);
  EXPECT_EQ(Counters().dns_late, 1u);
}

TEST_F(DnsTest, OverTcpAndIpv6) {
  const auto segment = [](bool query, uint16_t id, const char* local, const char* remote) {
    const DnsMessage m{.id = id, .response = !query};
    return query ? BuildTcp({.src = local,
                             .dst = remote,
                             .sport = kClientPort,
                             .dport = 53,
                             .flags = kAck | kPsh,
                             .data = BuildDnsOverTcp(m)})
                 : BuildTcp({.src = remote,
                             .dst = local,
                             .sport = 53,
                             .dport = kClientPort,
                             .flags = kAck | kPsh,
                             .data = BuildDnsOverTcp(m)});
  };
  EgressAt(segment(true, 3, kLocal4, kRemote4), At(0));
  IngressAt(segment(false, 3, kLocal4, kRemote4), At(4));
  EXPECT_EQ(Dns4(PP_PROTO_TCP).rtt_min_ns, 4 * kMs);
  EgressAt(segment(true, 4, kLocal6, kRemote6), At(10));
  IngressAt(segment(false, 4, kLocal6, kRemote6), At(17));
  Sync();
  const PrefixKey v6{ParseAddress("2001:db8:bb::"), 48, PP_PROTO_TCP, PP_DIR_INGRESS, PP_METHOD_DNS, 0};
  EXPECT_EQ(Lookup(v6).rtt_min_ns, 7 * kMs);
  EgressAt(Query({.id = 5}, kLocal6, kRemote6), At(20));
  IngressAt(Response({.id = 5}, kLocal6, kRemote6), At(22));
  Sync();
  const PrefixKey v6_udp{ParseAddress("2001:db8:bb::"), 48, PP_PROTO_UDP, PP_DIR_INGRESS, PP_METHOD_DNS, 0};
  EXPECT_EQ(Lookup(v6_udp).rtt_min_ns, 2 * kMs);
}

// A local server answering remote clients: its response time, with
// include_local, under matched_on="egress".
TEST_F(DnsTest, IncludeLocalTimesALocalServer) {
  const auto exchange = [this](uint64_t t_ms) {
    IngressAt(BuildUdp(kRemote4, kLocal4, kClientPort, 53, BuildDns({.id = 9})), At(t_ms));
    EgressAt(BuildUdp(kLocal4, kRemote4, 53, kClientPort, BuildDns({.id = 9, .response = true})), At(t_ms + 1));
  };
  exchange(0);
  EXPECT_EQ(Dns4(PP_PROTO_UDP, 0, PP_DIR_EGRESS).rtt_count, 0u) << "local servers are off by default";
  DatapathOptions options = Replaying();
  options.include_local = true;
  Load(options);
  exchange(10);
  EXPECT_EQ(Dns4(PP_PROTO_UDP, 0, PP_DIR_EGRESS).rtt_min_ns, 1 * kMs);
}

// Queries never answered are counted when the cleanup expires them.
TEST_F(DnsTest, UnansweredQueriesAreCountedWhenTheyExpire) {
  EgressAt(Query({.id = 1}), At(0));
  EgressAt(Query({.id = 2}), At(0));
  EgressAt(Query({.id = 2}), At(1000));   // retried, and never answered either
  IngressAt(Response({.id = 3}), At(2));  // answers nothing
  MapCleaner cleaner(KernelCleanupMaps(), {16384, 16384}, CleanupOptions{});
  cleaner.Sweep(At(4000));
  EXPECT_EQ(cleaner.stats().dns_expired, 0u) << "within the timeout";
  cleaner.Sweep(At(5500));
  EXPECT_EQ(cleaner.stats().dns_expired, 1u) << "the retried one waits from its last copy";
  cleaner.Sweep(At(6001));
  EXPECT_EQ(cleaner.stats().dns_expired, 2u);
  EXPECT_EQ(cleaner.stats().timestamps_expired, 2u);
  EXPECT_EQ(EntryCount<pp_packet_key>(timestamps().fd()), 0u);
}

}  // namespace
}  // namespace pping::testing
