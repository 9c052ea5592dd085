// SPDX-License-Identifier: Apache-2.0
// Crafted packets through the real BPF programs with BPF_PROG_TEST_RUN:
// which packets are stamped, which echoes are matched, and what reaches
// the per-prefix histograms and global counters.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

TEST_F(DatapathTest, TcpTimestampEchoGivesOneRttSampleIpv4) {
  Egress(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)));
  Age(std::chrono::milliseconds(5));
  Ingress(BuildTcp(In4(kAck, 900, 100)));
  const PrefixStats s = Tcp4();
  EXPECT_EQ(s.rtt_count, 1u);
  EXPECT_GE(s.rtt_min_ns, 5'000'000u);
  EXPECT_LT(s.rtt_min_ns, 1'000'000'000u);
  EXPECT_EQ(s.tx_packets, 1u);
  EXPECT_EQ(s.rx_packets, 1u);
  EXPECT_EQ(Counters().rtt_samples, 1u);
  // The stamp was consumed: a second echo of the same TSval gives nothing.
  Ingress(BuildTcp(In4(kAck, 901, 100)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
}

TEST_F(DatapathTest, XdpIngressMatchesTcEgressStamps) {
  Egress(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)));
  IngressXdp(BuildTcp(In4(kAck, 900, 100)));
  Egress(BuildEcho(kLocal6, kRemote6, true, 9, 41));
  IngressXdp(BuildEcho(kRemote6, kLocal6, false, 9, 41));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  EXPECT_EQ(Tcp4().rx_packets, 1u);
  EXPECT_EQ(Stats("2001:db8:bb::", 48, PP_PROTO_ICMPV6).rtt_count, 1u);
}

TEST_F(DatapathTest, TcpTimestampEchoGivesOneRttSampleIpv6) {
  Egress(BuildTcp({kLocal6, kRemote6, 40000, 443, kAck | kPsh, TcpTimestamps{7, 3}, 100}));
  Ingress(BuildTcp({kRemote6, kLocal6, 443, 40000, kAck, TcpTimestamps{70, 7}, 0}));
  EXPECT_EQ(Stats("2001:db8:bb::", 48, PP_PROTO_TCP).rtt_count, 1u);
  EXPECT_EQ(Tcp4().rtt_count, 0u);
}

TEST_F(DatapathTest, PureAckIsNotStamped) {
  Egress(BuildTcp(Out4(kAck, 200, 50, 0)));
  Ingress(BuildTcp(In4(kAck, 901, 200)));
  EXPECT_EQ(Tcp4().rtt_count, 0u);
  EXPECT_EQ(Tcp4().tx_packets, 1u);  // still counted as traffic
}

TEST_F(DatapathTest, EchoWithoutAckFlagIsNotMatched) {
  Egress(BuildTcp(Out4(kAck | kPsh, 300, 50, 100)));
  Ingress(BuildTcp(In4(kPsh, 902, 300, 10)));
  EXPECT_EQ(Tcp4().rtt_count, 0u);
  // The stamp is still there for the first proper ACK.
  Ingress(BuildTcp(In4(kAck, 903, 300)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
}

TEST_F(DatapathTest, RepeatedTsvalKeepsTheFirstStamp) {
  Egress(BuildTcp(Out4(kAck | kPsh, 400, 50, 100)));
  Age(std::chrono::milliseconds(30));
  Egress(BuildTcp(Out4(kAck | kPsh, 400, 50, 100)));
  Ingress(BuildTcp(In4(kAck, 904, 400)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  EXPECT_GE(Tcp4().rtt_min_ns, 30'000'000u) << "RTT must run from the first packet with the TSval";
}

TEST_F(DatapathTest, TsvalSeenBeforeIsNotStampedAgainAfterItsEcho) {
  Egress(BuildTcp(Out4(kAck | kPsh, 600, 50, 100)));
  Ingress(BuildTcp(In4(kAck, 905, 600)));
  Egress(BuildTcp(Out4(kAck | kPsh, 600, 50, 100)));  // same TSval: not new
  Ingress(BuildTcp(In4(kAck, 906, 600)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
}

TEST_F(DatapathTest, AcksRepeatingAnEchoGiveOneSampleAndTheNextEchoStillMatches) {
  // The repeats skip the timestamp lookup (the flow remembers the echo it
  // checked); a new echo is looked up again.
  Egress(BuildTcp(Out4(kAck | kPsh, 700, 50, 100)));
  for (uint32_t i = 0; i < 3; ++i) Ingress(BuildTcp(In4(kAck, 910 + i, 700)));
  Egress(BuildTcp(Out4(kAck | kPsh, 701, 51, 100)));
  Ingress(BuildTcp(In4(kAck, 913, 701)));
  Ingress(BuildTcp(In4(kAck, 914, 701)));
  EXPECT_EQ(Tcp4().rtt_count, 2u);
  EXPECT_EQ(Counters().rtt_samples, 2u);
}

// Timestamps behind other options (a handshake's MSS and SACK-permitted)
// are found by walking the options, as the usual aligned layout is found
// directly.
TEST_F(DatapathTest, TimestampsBehindOtherOptionsAreFound) {
  const std::vector<uint8_t> mss_sack_permitted = {2, 4, 0x05, 0xb4, 4, 2};
  Egress(BuildTcp({kLocal4, kRemote4, 40000, 80, kAck | kPsh, TcpTimestamps{5, 9}, 100, mss_sack_permitted}));
  Ingress(BuildTcp({kRemote4, kLocal4, 80, 40000, kAck, TcpTimestamps{90, 5}, 0, {1, 3, 3, 7}}));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  Egress(BuildTcp(Out4(kAck | kPsh, 6, 90, 100)));
  Ingress(BuildTcp(In4(kAck, 91, 6)));
  EXPECT_EQ(Tcp4().rtt_count, 2u);
}

// A header length that ends inside the aligned timestamps: no sample.
TEST_F(DatapathTest, TimestampsCutByTheHeaderLengthAreIgnored) {
  Frame data = BuildTcp(Out4(kAck | kPsh, 5, 9, 100));
  data[14 + 20 + 12] = (20 + 8) / 4 << 4;  // data offset: only 8 option bytes
  Egress(data);
  Ingress(BuildTcp(In4(kAck, 90, 5)));
  EXPECT_EQ(Tcp4().rtt_count, 0u);
  EXPECT_EQ(Tcp4().tx_packets, 1u);
}

TEST_F(DatapathTest, IcmpEchoIpv4) {
  Egress(BuildEcho(kLocal4, kRemote4, true, 77, 1));
  Ingress(BuildEcho(kRemote4, kLocal4, false, 77, 1));
  Ingress(BuildEcho(kRemote4, kLocal4, false, 77, 2));  // never requested
  Ingress(BuildEcho(kRemote4, kLocal4, false, 78, 1));  // other identifier
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).rtt_count, 1u);
}

TEST_F(DatapathTest, IcmpEchoIpv6) {
  Egress(BuildEcho(kLocal6, kRemote6, true, 9, 41));
  Ingress(BuildEcho(kRemote6, kLocal6, false, 9, 41));
  EXPECT_EQ(Stats("2001:db8:bb::", 48, PP_PROTO_ICMPV6).rtt_count, 1u);
}

TEST_F(DatapathTest, RequestsFromTheRemoteAreNotMatchedByDefault) {
  // The remote pings us: the RTT would be our own processing time.
  Ingress(BuildEcho(kRemote4, kLocal4, true, 5, 1));
  Egress(BuildEcho(kLocal4, kRemote4, false, 5, 1));
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).rtt_count, 0u);
}

TEST_F(DatapathTest, TruncatedOrMalformedHeadersGiveNoSample) {
  // BPF_PROG_TEST_RUN itself refuses frames whose IP header is cut short,
  // so the IP-level case is a header length pointing past the end.
  Frame bad_ihl = BuildTcp(Out4(kAck | kPsh, 700, 50, 0));
  bad_ihl[14] = 0x4f;  // IHL 15 words: 60 bytes of header in a 52-byte packet
  Egress(Truncate(bad_ihl, 14 + 20 + 32));
  const Frame data = BuildTcp(Out4(kAck | kPsh, 700, 50, 100));
  const Frame echo = BuildTcp(In4(kAck, 907, 700));
  Egress(Truncate(data, 14 + 20 + 10));  // TCP header cut
  Ingress(Truncate(echo, 14 + 20 + 10));
  const Frame echo6 = BuildEcho(kRemote6, kLocal6, false, 9, 1);
  Ingress(Truncate(echo6, 14 + 40 + 4));  // ICMPv6 header cut
  EXPECT_EQ(Counters().truncated_packets, 4u);
  EXPECT_EQ(Counters().rtt_samples, 0u);
  EXPECT_EQ(Tcp4().rtt_count, 0u);
}

TEST_F(DatapathTest, GlobalCountersByProtocolDirectionAndEcn) {
  Frame ce = BuildEcho(kLocal4, kRemote4, true, 1, 1);
  ce[14 + 1] = 0x03;  // IPv4 TOS: ECN CE
  Egress(ce);
  Ingress(BuildTcp(In4(kAck, 1, 1)));
  Frame arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  Ingress(arp);
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.ip_packets[PP_DIR_EGRESS][PP_PROTO_ICMP], 1u);
  EXPECT_EQ(c.ip_bytes[PP_DIR_EGRESS][PP_PROTO_ICMP], ce.size());
  EXPECT_EQ(c.ip_packets[PP_DIR_INGRESS][PP_PROTO_TCP], 1u);
  EXPECT_EQ(c.non_ip_packets[PP_DIR_INGRESS], 1u);
  EXPECT_EQ(c.ecn_packets[3], 1u);
  EXPECT_EQ(c.ecn_packets[0], 1u);
}

// Neighbour discovery, mDNS and the like: link-local and multicast remotes
// are counted globally but make no per-prefix series unless asked for.
TEST_F(DatapathTest, LinkLocalAndMulticastRemotesMakeNoPrefixSeries) {
  const auto send_to_link_scope = [this] {
    Ingress(BuildEcho("fe80::1", kLocal6, true, 3, 1));            // from a link-local address
    Egress(BuildUdp(kLocal6, "ff02::fb", 5353, 5353, {1, 2}));     // to an IPv6 multicast group
    Egress(BuildUdp(kLocal4, "224.0.0.251", 5353, 5353, {1, 2}));  // to an IPv4 multicast group
    Ingress(BuildEcho("169.254.1.1", kLocal4, true, 3, 1));        // from an IPv4 link-local address
    Ingress(BuildEcho(kRemote6, kLocal6, true, 3, 1));             // and one that is someone's subnet
    Sync();
  };
  send_to_link_scope();
  EXPECT_EQ(Counters().ip_packets[PP_DIR_INGRESS][PP_PROTO_ICMPV6], 2u) << "all counted globally";
  std::vector<std::string> prefixes;
  const auto listed = [&] {
    prefixes.clear();
    for (const PrefixSnapshot& p : Prefixes()) prefixes.push_back(PrefixText(p.key.prefix, p.key.prefix_len));
    return prefixes;
  };
  EXPECT_EQ(listed(), (std::vector<std::string>{"2001:db8:bb::/48"}));

  DatapathOptions options = UnsampledOptions();
  options.link_local = true;
  Load(options);
  send_to_link_scope();
  EXPECT_EQ(listed().size(), 5u) << "kept with --aggregation.link-local";
}

}  // namespace
}  // namespace pping::testing
