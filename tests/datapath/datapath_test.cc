// SPDX-License-Identifier: Apache-2.0
// Crafted packets through the real BPF programs with BPF_PROG_TEST_RUN:
// which packets are stamped, which echoes are matched, and what reaches
// the per-prefix histograms and global counters.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

TEST_F(DatapathTest, TcpTimestampEchoGivesOneRttSampleIpv4) {
  Egress(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
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
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
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

TEST_F(DatapathTest, TcpWithoutTimestampsCountsTrafficOnly) {
  Egress(BuildTcp({kLocal4, kRemote4, 40000, 80, kAck | kPsh, std::nullopt, 100}));
  Ingress(BuildTcp({kRemote4, kLocal4, 80, 40000, kAck, std::nullopt, 0}));
  EXPECT_EQ(Tcp4().rtt_count, 0u);
  EXPECT_EQ(Tcp4().rx_packets, 1u);
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

// A per-CPU entry holds one value per CPU: the instances allocate entries
// for active prefixes only, so kernel memory follows the traffic, not
// max_prefixes x CPUs.
TEST_F(DatapathTest, AggregationInstancesAreNotPreallocated) {
  const AggregationMapFds maps = datapath().aggregation_maps();
  for (int fd : maps.instances) {
    bpf_map_info info{};
    __u32 size = sizeof(info);
    ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &size), 0);
    EXPECT_EQ(info.type, BPF_MAP_TYPE_PERCPU_HASH);
    EXPECT_TRUE(info.map_flags & BPF_F_NO_PREALLOC);
  }
}

TEST_F(DatapathTest, FlipDrainsEveryUpdateExactlyOnce) {
  for (int i = 0; i < 20; ++i) {
    Egress(BuildEcho(kLocal4, kRemote4, true, 3, static_cast<uint16_t>(i)));
    if (i % 3 == 0) Sync();
  }
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).tx_packets, 20u);
}

// Values of the entries an aggregation instance holds, CPUs summed.
std::vector<PrefixStats> InstanceEntries(int map_fd) {
  const int cpus = libbpf_num_possible_cpus();
  std::vector<PrefixStats> out;
  std::vector<uint8_t> values(kAggValueStride * static_cast<size_t>(cpus));
  for (const pp_agg_key& key : AllKeys<pp_agg_key>(map_fd)) {
    if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) continue;
    AddPerCpu(out.emplace_back(), values.data(), cpus);
  }
  return out;
}

// The datapath starts on instance 0, and each Sync flips once.
TEST_F(DatapathTest, DrainResetsActivePrefixesAndDeletesThemOnceQuiet) {
  const int first = datapath().aggregation_maps().instances[0];
  Egress(BuildEcho(kLocal4, kRemote4, true, 3, 1));
  Sync();  // drains instance 0: the prefix was active, its entry is reset
  auto entries = InstanceEntries(first);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0], PrefixStats{}) << "kept, but reset to zero";
  Sync();  // back to instance 0, which finds the entry
  Egress(BuildEcho(kLocal4, kRemote4, true, 3, 2));
  Sync();  // drains instance 0: active again, reset again
  EXPECT_EQ(InstanceEntries(first).size(), 1u);
  Sync();  // instance 0 written again, with nothing for the prefix
  Sync();  // so its drain deletes the entry
  EXPECT_TRUE(InstanceEntries(first).empty());
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).tx_packets, 2u) << "each packet counted once";
}

TEST_F(DatapathTest, DrainKeepsAtMostHalfAnInstanceForTheNextInterval) {
  Config config = UnsampledConfig();
  config.max_prefixes = 8;
  Load(config);
  for (int i = 0; i < 6; ++i) Egress(BuildEcho(kLocal6, "2001:db8:" + std::to_string(i + 1) + "::1", true, 3, 1));
  Sync();
  EXPECT_EQ(InstanceEntries(datapath().aggregation_maps().instances[0]).size(), 4u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Stats("2001:db8:" + std::to_string(i + 1) + "::", 48, PP_PROTO_ICMPV6).tx_packets, 1u) << i;
  }
}

// The maps are not preallocated: a burst of new prefixes can outrun the
// kernel allocator's per-CPU caches. Whether it does here depends on the
// machine; either way every prefix gets an entry or is counted as an
// allocation failure, and none is taken for a full map.
TEST_F(DatapathTest, ABurstOfNewPrefixesIsNeverCountedAsAFullMap) {
  constexpr unsigned kPrefixes = 16384;
  Config config = UnsampledConfig();
  config.max_prefixes = 4 * kPrefixes;
  Load(config);
  char remote[32];
  for (unsigned i = 0; i < kPrefixes; ++i) {
    std::snprintf(remote, sizeof(remote), "2001:db8:%x::1", i);
    Egress(BuildEcho(kLocal6, remote, true, 3, 1));
  }
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.map_full[PP_MAP_AGGREGATION], 0u);
  const size_t held = EntryCount<pp_agg_key>(datapath().aggregation_maps().instances[0]);
  EXPECT_EQ(held + c.map_alloc_failed[PP_MAP_AGGREGATION], kPrefixes);
  std::printf("%zu prefixes got an entry, %llu allocations failed\n", held,
              static_cast<unsigned long long>(c.map_alloc_failed[PP_MAP_AGGREGATION]));
}

}  // namespace
}  // namespace pping::testing
