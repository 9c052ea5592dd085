// SPDX-License-Identifier: Apache-2.0
// Crafted packets through the real BPF programs with BPF_PROG_TEST_RUN:
// which packets are stamped, which echoes are matched, and what reaches
// the per-prefix histograms and global counters.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/pkt_cls.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "exporter/aggregator.h"
#include "exporter/bpf_aggregation_source.h"
#include "exporter/datapath.h"
#include "exporter/global_counters.h"
#include "exporter/prefix.h"
#include "tests/datapath/packet_builder.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using testing::BuildEcho;
using testing::BuildTcp;
using testing::Frame;
using testing::kAck;
using testing::kPsh;
using testing::kSyn;
using testing::TcpSegment;
using testing::Truncate;

constexpr const char* kLocal4 = "198.51.100.7";
constexpr const char* kRemote4 = "192.0.2.10";
constexpr const char* kLocal6 = "2001:db8:aa::7";
constexpr const char* kRemote6 = "2001:db8:bb::10";

class DatapathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PPING_SKIP_UNLESS_ROOT();
    DatapathOptions options;
    options.prefixes = MakePrefixConfig(24, 48);
    datapath_ = std::make_unique<Datapath>(options);
    source_ = std::make_unique<BpfAggregationSource>(datapath_->aggregation_maps());
    aggregator_ = std::make_unique<Aggregator>(*source_);
  }

  void Run(int prog_fd, const Frame& frame) {
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<__u32>(frame.size());
    ASSERT_EQ(bpf_prog_test_run_opts(prog_fd, &opts), 0) << "test run: " << std::strerror(errno);
    // TC_ACT_UNSPEC (= TCX_NEXT): the datapath never drops or redirects.
    EXPECT_EQ(static_cast<int>(opts.retval), TC_ACT_UNSPEC);
  }
  void Egress(const Frame& frame) { Run(datapath_->egress_program_fd(), frame); }
  void Ingress(const Frame& frame) { Run(datapath_->ingress_program_fd(), frame); }

  // Cumulative stats of one remote prefix and protocol (zero if unseen).
  PrefixStats Stats(const std::string& prefix, unsigned len, uint8_t proto) {
    aggregator_->Sync();
    const PrefixKey key{ParseAddress(prefix), static_cast<uint8_t>(len), proto};
    for (const auto& p : aggregator_->Snapshot()) {
      if (p.key == key) return p.total;
    }
    return {};
  }
  PrefixStats Tcp4() { return Stats("192.0.2.0", 96 + 24, PP_PROTO_TCP); }

  GlobalCounters Counters() { return MakeBpfGlobalCountersReader(datapath_->global_counters_fd())(); }

  std::unique_ptr<Datapath> datapath_;
  std::unique_ptr<BpfAggregationSource> source_;
  std::unique_ptr<Aggregator> aggregator_;
};

TcpSegment Out4(uint8_t flags, uint32_t tsval, uint32_t tsecr, size_t payload) {
  return {kLocal4, kRemote4, 40000, 80, flags, testing::TcpTimestamps{tsval, tsecr}, payload};
}
TcpSegment In4(uint8_t flags, uint32_t tsval, uint32_t tsecr, size_t payload = 0) {
  return {kRemote4, kLocal4, 80, 40000, flags, testing::TcpTimestamps{tsval, tsecr}, payload};
}

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

TEST_F(DatapathTest, TcpTimestampEchoGivesOneRttSampleIpv6) {
  Egress(BuildTcp({kLocal6, kRemote6, 40000, 443, kAck | kPsh, testing::TcpTimestamps{7, 3}, 100}));
  Ingress(BuildTcp({kRemote6, kLocal6, 443, 40000, kAck, testing::TcpTimestamps{70, 7}, 0}));
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

TEST_F(DatapathTest, SynIsStampedAndMatchedBySynAck) {
  Egress(BuildTcp(Out4(kSyn, 500, 0, 0)));
  Ingress(BuildTcp(In4(kSyn | kAck, 77, 500)));
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

TEST_F(DatapathTest, FlipDrainsEveryUpdateExactlyOnce) {
  for (int i = 0; i < 20; ++i) {
    Egress(BuildEcho(kLocal4, kRemote4, true, 3, static_cast<uint16_t>(i)));
    if (i % 3 == 0) aggregator_->Sync();
  }
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).tx_packets, 20u);
}

}  // namespace
}  // namespace pping
