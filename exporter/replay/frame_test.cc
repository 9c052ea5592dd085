// SPDX-License-Identifier: Apache-2.0
// Captured packets of every supported link type come out as the Ethernet
// frames the datapath takes, with what the direction is decided from.
#include "exporter/replay/frame.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include "exporter/util/error.h"
#include "tests/support/packet_builder.h"

namespace pping {
namespace {

using testing::BuildEcho;
using testing::BuildTcp;
using testing::Frame;
using testing::kAck;
using testing::kSyn;

constexpr size_t kEthernet = 14;

Frame L3Of(const Frame& ethernet) { return Frame(ethernet.begin() + kEthernet, ethernet.end()); }

// A Linux cooked (SLL) header for an L3 packet: packet type, link type,
// address length and address, protocol.
Frame Sll(const Frame& l3, uint16_t packet_type, uint16_t ethertype) {
  Frame f = {0, static_cast<uint8_t>(packet_type), 0, 1, 0, 6, 2, 2, 2, 2, 2, 2, 0, 0};
  f.push_back(static_cast<uint8_t>(ethertype >> 8));
  f.push_back(static_cast<uint8_t>(ethertype));
  f.insert(f.end(), l3.begin(), l3.end());
  return f;
}

// SLL2: protocol, reserved, interface index, link type, packet type,
// address length, address.
Frame Sll2(const Frame& l3, uint8_t packet_type, uint16_t ethertype) {
  Frame f = {static_cast<uint8_t>(ethertype >> 8),
             static_cast<uint8_t>(ethertype),
             0,
             0,
             0,
             0,
             0,
             3,
             0,
             1,
             packet_type,
             6,
             2,
             2,
             2,
             2,
             2,
             2,
             0,
             0};
  f.insert(f.end(), l3.begin(), l3.end());
  return f;
}

std::span<const uint8_t> L3Bytes(const EthernetFrame& frame) { return frame.bytes.subspan(kEthernet); }

TEST(FrameAdapterTest, EthernetFramesPassAsTheyAre) {
  Frame f = BuildTcp({.src = "192.0.2.1", .dst = "198.51.100.7", .sport = 4321, .dport = 443, .flags = kSyn});
  f[0] = 0xaa;  // destination MAC
  f[6] = 0xbb;  // source MAC
  FrameAdapter adapter(DLT_EN10MB);
  const auto frame = adapter.Adapt(f, 1514);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->bytes.data(), f.data()) << "not copied";
  EXPECT_EQ(frame->wire_len, 1514u);
  const PacketSummary& s = frame->summary;
  EXPECT_EQ((*s.dst_mac)[0], 0xaa);
  EXPECT_EQ((*s.src_mac)[0], 0xbb);
  EXPECT_FALSE(s.outgoing);
  ASSERT_TRUE(s.ip);
  EXPECT_EQ(s.src, ParseAddress("192.0.2.1"));
  EXPECT_EQ(s.dst, ParseAddress("198.51.100.7"));
  EXPECT_EQ(s.protocol, 6);
  EXPECT_EQ(s.src_port, 4321);
  EXPECT_EQ(s.dst_port, 443);
  EXPECT_EQ(s.tcp_flags, kSyn);
}

TEST(FrameAdapterTest, VlanTagsAreReadThrough) {
  const Frame plain = BuildTcp({.src = "2001:db8::1", .dst = "2001:db8::2", .sport = 5, .dport = 6});
  Frame tagged(plain.begin(), plain.begin() + 12);
  for (uint16_t tpid : {0x88a8, 0x8100}) {  // 802.1ad outside 802.1Q
    tagged.insert(tagged.end(), {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid), 0, 42});
  }
  tagged.insert(tagged.end(), plain.begin() + 12, plain.end());
  FrameAdapter adapter(DLT_EN10MB);
  const auto frame = adapter.Adapt(tagged, static_cast<uint32_t>(tagged.size()));
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->summary.ip);
  EXPECT_EQ(frame->summary.src, ParseAddress("2001:db8::1"));
  EXPECT_EQ(frame->summary.dst_port, 6);
}

TEST(FrameAdapterTest, CookedCapturesGetAnEthernetHeaderAndTheirDirection) {
  const Frame l3 = L3Of(BuildEcho("192.0.2.1", "192.0.2.9", true, 77, 1));
  FrameAdapter sll(DLT_LINUX_SLL);
  FrameAdapter sll2(DLT_LINUX_SLL2);
  for (const bool outgoing : {true, false}) {
    const uint8_t type = outgoing ? 4 : 0;  // PACKET_OUTGOING, PACKET_HOST
    const Frame v1 = Sll(l3, type, 0x0800);
    const Frame v2 = Sll2(l3, type, 0x0800);
    for (const auto& [adapter, captured, header] : {std::tuple{&sll, &v1, 16u}, std::tuple{&sll2, &v2, 20u}}) {
      const auto frame = adapter->Adapt(*captured, static_cast<uint32_t>(captured->size() + 100));
      ASSERT_TRUE(frame);
      EXPECT_EQ(frame->bytes[12], 0x08);
      EXPECT_EQ(frame->bytes[13], 0x00);
      EXPECT_TRUE(std::equal(l3.begin(), l3.end(), L3Bytes(*frame).begin(), L3Bytes(*frame).end()));
      EXPECT_EQ(frame->wire_len, captured->size() + 100 - header + kEthernet) << "the wire's L3 length kept";
      EXPECT_EQ(frame->summary.outgoing, outgoing);
      EXPECT_EQ(frame->summary.icmp_type, 8);
      EXPECT_EQ(frame->summary.src_port, 77) << "the echo identifier";
      EXPECT_FALSE(frame->summary.src_mac);
    }
  }
}

TEST(FrameAdapterTest, RawIpTakesItsTypeFromTheVersion) {
  for (const int link : {DLT_RAW, DLT_IPV4, DLT_IPV6}) {
    FrameAdapter adapter(link);
    for (const char* src : {"192.0.2.1", "2001:db8::1"}) {
      const bool v6 = std::string(src).find(':') != std::string::npos;
      const Frame l3 = L3Of(BuildTcp({.src = src, .dst = v6 ? "2001:db8::2" : "192.0.2.2"}));
      const auto frame = adapter.Adapt(l3, static_cast<uint32_t>(l3.size()));
      ASSERT_TRUE(frame);
      EXPECT_EQ(frame->bytes[12], v6 ? 0x86 : 0x08);
      EXPECT_EQ(frame->bytes[13], v6 ? 0xdd : 0x00);
      EXPECT_EQ(frame->wire_len, l3.size() + kEthernet);
      EXPECT_EQ(frame->summary.src, ParseAddress(src));
    }
  }
}

TEST(FrameAdapterTest, ATruncatedPacketKeepsItsLengthOnTheWire) {
  const Frame full = BuildTcp({.src = "192.0.2.1", .dst = "192.0.2.2", .flags = kAck, .payload = 1400});
  const Frame cut = testing::Truncate(full, 128);
  FrameAdapter adapter(DLT_RAW);
  const auto frame = adapter.Adapt(L3Of(cut), static_cast<uint32_t>(full.size() - kEthernet));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->bytes.size(), cut.size());
  EXPECT_EQ(frame->wire_len, full.size());
  EXPECT_EQ(frame->summary.dst_port, 80) << "the headers were captured";
}

TEST(FrameAdapterTest, PacketsShorterThanTheirLinkHeaderAreRefused) {
  const Frame tiny(10, 0);
  EXPECT_FALSE(FrameAdapter(DLT_EN10MB).Adapt(tiny, 60));
  EXPECT_FALSE(FrameAdapter(DLT_LINUX_SLL).Adapt(tiny, 60));
  EXPECT_FALSE(FrameAdapter(DLT_LINUX_SLL2).Adapt(Frame(19, 0), 60));
  const Frame header_only = Sll(Frame{}, 0, 0x0800);
  EXPECT_FALSE(FrameAdapter(DLT_LINUX_SLL).Adapt(header_only, 10)) << "a wire length shorter than the header";
}

TEST(FrameAdapterTest, NonIpAndLaterFragmentsSayNoMoreThanTheyCan) {
  Frame arp = BuildTcp({.src = "192.0.2.1", .dst = "192.0.2.2"});
  arp[12] = 0x08;
  arp[13] = 0x06;
  FrameAdapter adapter(DLT_EN10MB);
  auto frame = adapter.Adapt(arp, static_cast<uint32_t>(arp.size()));
  ASSERT_TRUE(frame);
  EXPECT_FALSE(frame->summary.ip);

  Frame fragment = BuildTcp({.src = "192.0.2.1", .dst = "192.0.2.2", .sport = 9, .dport = 10});
  fragment[kEthernet + 7] = 0x10;  // fragment offset 16 (x8 bytes)
  frame = adapter.Adapt(fragment, static_cast<uint32_t>(fragment.size()));
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->summary.ip);
  EXPECT_EQ(frame->summary.src_port, 0) << "a later fragment holds no ports";
}

TEST(FrameAdapterTest, OtherLinkTypesAreBadInput) {
  EXPECT_THROW(FrameAdapter(DLT_IEEE802_11), UsageError);
  EXPECT_THROW(FrameAdapter(DLT_NULL), UsageError);
}

}  // namespace
}  // namespace pping
