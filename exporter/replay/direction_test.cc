// SPDX-License-Identifier: Apache-2.0
// Which way each captured packet went, by the rules of direction.h in
// their order of trust.
#include "exporter/replay/direction.h"

#include <gtest/gtest.h>

namespace pping {
namespace {

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kAck = 0x10;
constexpr MacAddress kLocalMac = {2, 0, 0, 0, 0, 1}, kRemoteMac = {2, 0, 0, 0, 0, 2};

PacketSummary Tcp(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t flags) {
  PacketSummary p;
  p.ip = true;
  p.src = ParseAddress(src);
  p.dst = ParseAddress(dst);
  p.protocol = 6;
  p.src_port = sport;
  p.dst_port = dport;
  p.tcp_flags = flags;
  return p;
}

PacketSummary Echo(const char* src, const char* dst, bool request, bool v6 = false) {
  PacketSummary p;
  p.ip = true;
  p.src = ParseAddress(src);
  p.dst = ParseAddress(dst);
  p.protocol = v6 ? 58 : 1;
  p.icmp_type = v6 ? (request ? 128 : 129) : (request ? 8 : 0);
  p.src_port = p.dst_port = 300;
  return p;
}

PacketSummary Reverse(PacketSummary p) {
  std::swap(p.src, p.dst);
  std::swap(p.src_port, p.dst_port);
  std::swap(p.src_mac, p.dst_mac);
  return p;
}

AddressPrefix Prefix(const char* address, unsigned length) { return {ParseAddress(address), length}; }

TEST(DirectionTest, ALocalMacDecidesFirst) {
  DirectionOracle oracle({Prefix("198.51.100.0", 120)}, {kLocalMac});
  PacketSummary p = Tcp("198.51.100.1", 80, "192.0.2.1", 5000, kAck);  // from a "local" address...
  p.src_mac = kRemoteMac;
  p.dst_mac = kLocalMac;  // ...but to the local MAC
  EXPECT_FALSE(oracle.Outgoing(p));
  EXPECT_TRUE(oracle.Outgoing(Reverse(p)));
}

TEST(DirectionTest, CountsWhatEachRuleDecided) {
  DirectionOracle none({}, {});
  EXPECT_FALSE(none.side_given());
  DirectionOracle oracle({Prefix("192.0.2.0", 96 + 24)}, {});
  EXPECT_TRUE(oracle.side_given());
  oracle.Outgoing(Tcp("198.51.100.1", 1000, "198.51.100.2", 22, kAck));  // the given prefix has no part in it
  oracle.Outgoing(Tcp("192.0.2.1", 1, "198.51.100.2", 2, kAck));
  oracle.Outgoing(Echo("198.51.100.7", "198.51.100.8", true));
  oracle.Outgoing(Tcp("198.51.100.7", 80, "198.51.100.9", 5000, kAck));  // .7 showed local
  PacketSummary cooked = Tcp("198.51.100.1", 1, "198.51.100.2", 2, kAck);
  cooked.outgoing = true;
  oracle.Outgoing(cooked);
  EXPECT_EQ(oracle.decided_by(DirectionOracle::kGivenSide), 1u);
  EXPECT_EQ(oracle.decided_by(DirectionOracle::kCookedRecord), 1u);
  EXPECT_EQ(oracle.decided_by(DirectionOracle::kOpening), 1u);
  EXPECT_EQ(oracle.decided_by(DirectionOracle::kLearntAddress), 1u);
  EXPECT_EQ(oracle.decided_by(DirectionOracle::kGuessed), 1u);
}

TEST(DirectionTest, LocalPrefixesOfBothFamilies) {
  DirectionOracle oracle({Prefix("192.0.2.0", 96 + 24), Prefix("2001:db8:1::", 48)}, {});
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.200", 1, "203.0.113.1", 2, kAck)));
  EXPECT_FALSE(oracle.Outgoing(Tcp("203.0.113.1", 2, "192.0.2.200", 1, kAck)));
  EXPECT_TRUE(oracle.Outgoing(Echo("2001:db8:1:ff::1", "2001:db8:2::1", false, true)));
  EXPECT_FALSE(oracle.Outgoing(Echo("2001:db8:2::1", "2001:db8:1::7", true, true))) << "even an echo request";
}

TEST(DirectionTest, ACookedCapturesRecordIsTakenWhenNothingIsGiven) {
  DirectionOracle oracle({}, {});
  PacketSummary p = Tcp("192.0.2.1", 80, "192.0.2.2", 5000, kSyn);  // a SYN would say outgoing
  p.outgoing = false;
  EXPECT_FALSE(oracle.Outgoing(p));
  DirectionOracle given({Prefix("192.0.2.1", 128)}, {});
  EXPECT_TRUE(given.Outgoing(p)) << "a given address outranks the record";
}

TEST(DirectionTest, TheSideThatOpensATcpConnectionIsLocal) {
  DirectionOracle oracle({}, {});
  const PacketSummary syn = Tcp("203.0.113.5", 40000, "192.0.2.1", 443, kSyn);
  EXPECT_TRUE(oracle.Outgoing(syn));
  EXPECT_FALSE(oracle.Outgoing(Reverse(Tcp("203.0.113.5", 40000, "192.0.2.1", 443, kSyn | kAck))));
  EXPECT_TRUE(oracle.Outgoing(Tcp("203.0.113.5", 40000, "192.0.2.1", 443, kAck)));
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.1", 443, "203.0.113.5", 40000, kAck | kFin)));
}

TEST(DirectionTest, ASynAckSeenFirstPutsItsReceiverLocal) {
  DirectionOracle oracle({}, {});
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.1", 443, "203.0.113.5", 40000, kSyn | kAck)));
  EXPECT_TRUE(oracle.Outgoing(Tcp("203.0.113.5", 40000, "192.0.2.1", 443, kAck)));
}

TEST(DirectionTest, AFlowCaughtMidwayHasItsClientPortLocal) {
  DirectionOracle oracle({}, {});
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.1", 443, "203.0.113.5", 40000, kAck))) << "40000: the client's port";
  EXPECT_TRUE(oracle.Outgoing(Tcp("203.0.113.5", 40000, "192.0.2.1", 443, kAck)));
}

TEST(DirectionTest, WithEqualPortsTheFirstSenderIsLocal) {
  DirectionOracle oracle({}, {});
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.9", 179, "192.0.2.1", 179, kAck)));
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.1", 179, "192.0.2.9", 179, kAck)));
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.9", 179, "192.0.2.1", 179, kAck)));
}

TEST(DirectionTest, AddressesLearntFromOneFlowDecideAnother) {
  DirectionOracle oracle({}, {});
  EXPECT_TRUE(oracle.Outgoing(Echo("192.0.2.1", "198.51.100.3", true)));
  // A server on the local host, caught midway: its port is the lower one.
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.1", 22, "198.51.100.3", 50000, kAck)));
  EXPECT_FALSE(oracle.Outgoing(Tcp("198.51.100.3", 50000, "192.0.2.1", 22, kAck)));
}

TEST(DirectionTest, AGuessGivesWayToEvidenceLearntLater) {
  DirectionOracle oracle({}, {});
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.1", 22, "198.51.100.3", 50000, kAck)));  // by the ports
  EXPECT_TRUE(oracle.Outgoing(Echo("192.0.2.1", "198.51.100.3", true)));
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.1", 22, "198.51.100.3", 50000, kAck))) << "192.0.2.1 showed local";
}

TEST(DirectionTest, AHandshakeOverridesAGuess) {
  DirectionOracle oracle({}, {});
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.1", 40000, "203.0.113.5", 443, kAck)));  // a guess
  EXPECT_TRUE(oracle.Outgoing(Tcp("203.0.113.5", 443, "192.0.2.1", 40000, kSyn)));  // the port reused
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.1", 40000, "203.0.113.5", 443, kAck)));
}

TEST(DirectionTest, AHandshakeIsNotUndoneByLaterGuesses) {
  DirectionOracle oracle({}, {});
  EXPECT_TRUE(oracle.Outgoing(Tcp("203.0.113.5", 443, "192.0.2.1", 40000, kSyn)));
  EXPECT_TRUE(oracle.Outgoing(Echo("192.0.2.1", "203.0.113.5", true)));  // 192.0.2.1 local elsewhere
  EXPECT_TRUE(oracle.Outgoing(Tcp("203.0.113.5", 443, "192.0.2.1", 40000, kAck)));
}

TEST(DirectionTest, EchoRequestsComeFromTheLocalSide) {
  DirectionOracle oracle({}, {});
  EXPECT_FALSE(oracle.Outgoing(Echo("192.0.2.9", "192.0.2.1", false))) << "a reply came in";
  EXPECT_TRUE(oracle.Outgoing(Echo("192.0.2.1", "192.0.2.9", true)));
  EXPECT_FALSE(oracle.Outgoing(Echo("192.0.2.9", "192.0.2.1", false)));
  EXPECT_TRUE(oracle.Outgoing(Echo("2001:db8::1", "2001:db8::9", true, true)));
  EXPECT_FALSE(oracle.Outgoing(Echo("2001:db8::9", "2001:db8::1", false, true)));
}

TEST(DirectionTest, FlowsAreToldApartByTheirPorts) {
  DirectionOracle oracle({}, {});
  // Two connections between the same hosts, opened from either side.
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.1", 1000, "192.0.2.2", 22, kSyn)));
  EXPECT_TRUE(oracle.Outgoing(Tcp("192.0.2.2", 2000, "192.0.2.1", 22, kSyn)));
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.2", 22, "192.0.2.1", 1000, kAck)));
  EXPECT_FALSE(oracle.Outgoing(Tcp("192.0.2.1", 22, "192.0.2.2", 2000, kAck)));
}

TEST(DirectionTest, AnythingUndecidedCameIn) {
  DirectionOracle oracle({}, {});
  PacketSummary arp;
  arp.src_mac = kRemoteMac;
  EXPECT_FALSE(oracle.Outgoing(arp));
}

TEST(DirectionTest, Prefixes) {
  EXPECT_TRUE(InPrefix(ParseAddress("10.1.2.3"), Prefix("10.0.0.0", 96 + 8)));
  EXPECT_FALSE(InPrefix(ParseAddress("11.1.2.3"), Prefix("10.0.0.0", 96 + 8)));
  EXPECT_FALSE(InPrefix(ParseAddress("::a01:203"), Prefix("10.0.0.0", 96 + 8))) << "families apart";
  EXPECT_TRUE(InPrefix(ParseAddress("2001:db8::1"), Prefix("::", 0)));
}

}  // namespace
}  // namespace pping
