// SPDX-License-Identifier: Apache-2.0
#include "exporter/replay/frame.h"

#include <pcap/pcap.h>

#include <cstring>
#include <string>

#include "exporter/util/error.h"

namespace pping {
namespace {

constexpr size_t kEthernetHeader = 14;
constexpr size_t kSllHeader = 16;
constexpr size_t kSll2Header = 20;
constexpr uint16_t kIpv4 = 0x0800, kIpv6 = 0x86dd, kVlan = 0x8100, kQinQ = 0x88a8;
constexpr uint8_t kPacketOutgoing = 4;  // Linux's PACKET_OUTGOING in cooked headers

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// The ethertype of a raw IP packet, from its version.
uint16_t EthertypeOf(std::span<const uint8_t> ip) {
  if (ip.empty()) return 0;
  switch (ip[0] >> 4) {
    case 4: return kIpv4;
    case 6: return kIpv6;
    default: return 0;
  }
}

void SummarizeL4(const uint8_t* l4, size_t left, PacketSummary& s) {
  if ((s.protocol == 6 || s.protocol == 17) && left >= 4) {
    s.src_port = Be16(l4);
    s.dst_port = Be16(l4 + 2);
    if (s.protocol == 6 && left >= 14) s.tcp_flags = l4[13];
  }
  if ((s.protocol == 1 || s.protocol == 58) && left >= 6) {
    s.icmp_type = l4[0];
    s.src_port = s.dst_port = Be16(l4 + 4);
  }
}

}  // namespace

FrameAdapter::FrameAdapter(int link_type) : link_type_(link_type) {
  switch (link_type) {
    case DLT_EN10MB:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2: break;
    default:
      throw UsageError("captures of link type " + std::to_string(link_type) + " (" + LinkTypeName(link_type) +
                       ") cannot be replayed: Ethernet, Linux cooked (SLL, SLL2) and raw IP can");
  }
}

const char* FrameAdapter::LinkTypeName(int link_type) {
  const char* name = pcap_datalink_val_to_name(link_type);
  return name ? name : "unknown";
}

std::optional<EthernetFrame> FrameAdapter::Wrap(std::span<const uint8_t> l3, uint16_t ethertype, uint32_t wire_l3_len) {
  buffer_.resize(kEthernetHeader + l3.size());
  std::memset(buffer_.data(), 0, 12);  // no MACs: the link had none
  buffer_[12] = static_cast<uint8_t>(ethertype >> 8);
  buffer_[13] = static_cast<uint8_t>(ethertype);
  std::memcpy(buffer_.data() + kEthernetHeader, l3.data(), l3.size());
  EthernetFrame frame;
  frame.bytes = buffer_;
  frame.wire_len = static_cast<uint32_t>(kEthernetHeader) + wire_l3_len;
  return frame;
}

std::optional<EthernetFrame> FrameAdapter::Adapt(std::span<const uint8_t> captured, uint32_t wire_len) {
  std::optional<EthernetFrame> frame;
  switch (link_type_) {
    case DLT_EN10MB:
      if (captured.size() < kEthernetHeader) return std::nullopt;
      frame = EthernetFrame{captured, wire_len, {}};
      frame->summary.dst_mac.emplace();
      frame->summary.src_mac.emplace();
      std::memcpy(frame->summary.dst_mac->data(), captured.data(), 6);
      std::memcpy(frame->summary.src_mac->data(), captured.data() + 6, 6);
      break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6: frame = Wrap(captured, EthertypeOf(captured), wire_len); break;
    case DLT_LINUX_SLL:
      if (captured.size() < kSllHeader || wire_len < kSllHeader) return std::nullopt;
      frame = Wrap(captured.subspan(kSllHeader), Be16(&captured[14]), wire_len - kSllHeader);
      frame->summary.outgoing = Be16(&captured[0]) == kPacketOutgoing;
      break;
    case DLT_LINUX_SLL2:
      if (captured.size() < kSll2Header || wire_len < kSll2Header) return std::nullopt;
      frame = Wrap(captured.subspan(kSll2Header), Be16(&captured[0]), wire_len - kSll2Header);
      frame->summary.outgoing = captured[10] == kPacketOutgoing;
      break;
    default: return std::nullopt;
  }
  if (frame->bytes.size() < kEthernetHeader) return std::nullopt;
  Summarize(frame->bytes, frame->summary);
  return frame;
}

void Summarize(std::span<const uint8_t> frame, PacketSummary& s) {
  size_t at = 12;
  uint16_t ethertype = Be16(&frame[at]);
  for (int tags = 0; (ethertype == kVlan || ethertype == kQinQ) && tags < 2 && at + 6 <= frame.size(); ++tags) {
    at += 4;
    ethertype = Be16(&frame[at]);
  }
  at += 2;
  if (ethertype == kIpv4 && frame.size() >= at + 20) {
    const uint8_t* ip = &frame[at];
    const size_t header = static_cast<size_t>(ip[0] & 0x0f) * 4;
    s.ip = true;
    s.protocol = ip[9];
    s.src[10] = s.src[11] = s.dst[10] = s.dst[11] = 0xff;
    std::memcpy(s.src.data() + 12, ip + 12, 4);
    std::memcpy(s.dst.data() + 12, ip + 16, 4);
    const bool first_fragment = (Be16(ip + 6) & 0x1fff) == 0;
    if (header >= 20 && first_fragment && frame.size() > at + header) {
      SummarizeL4(ip + header, frame.size() - at - header, s);
    }
  } else if (ethertype == kIpv6 && frame.size() >= at + 40) {
    const uint8_t* ip = &frame[at];
    s.ip = true;
    s.protocol = ip[6];
    std::memcpy(s.src.data(), ip + 8, 16);
    std::memcpy(s.dst.data(), ip + 24, 16);
    SummarizeL4(ip + 40, frame.size() - at - 40, s);
  }
}

}  // namespace pping
