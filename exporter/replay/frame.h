// SPDX-License-Identifier: Apache-2.0
// Captured packets as the datapath's Ethernet programs take them, whatever
// link the capture was made on: Ethernet as is; Linux cooked captures
// (SLL, SLL2, as `tcpdump -i any` writes) and raw IP (a TUN device) behind
// an Ethernet header made up for them. Also reads what the direction of a
// packet is decided from: its addresses, ports and first TCP/ICMP bits.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "exporter/replay/replay_options.h"
#include "exporter/stats/prefix.h"

namespace pping {

// What a packet's direction is decided from.
struct PacketSummary {
  std::optional<MacAddress> src_mac, dst_mac;  // Ethernet captures only
  std::optional<bool> outgoing;                // what a Linux cooked capture recorded
  bool ip = false;                             // the fields below are set
  Address16 src{}, dst{};
  uint8_t protocol = 0;
  uint16_t src_port = 0, dst_port = 0;  // host order; ICMP: the echo identifier
  uint8_t tcp_flags = 0;                // FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10
  uint8_t icmp_type = 0;
};

struct EthernetFrame {
  std::span<const uint8_t> bytes;  // Ethernet header first
  uint32_t wire_len = 0;           // on the wire, with the same header
  PacketSummary summary;
};

class FrameAdapter {
 public:
  // Throws UsageError for a link type it cannot turn into Ethernet frames.
  explicit FrameAdapter(int link_type);

  // The frame, or nullopt when the packet is too short for its link
  // header. The bytes stay valid until the next call.
  std::optional<EthernetFrame> Adapt(std::span<const uint8_t> captured, uint32_t wire_len);

  static const char* LinkTypeName(int link_type);

 private:
  std::optional<EthernetFrame> Wrap(std::span<const uint8_t> l3, uint16_t ethertype, uint32_t wire_l3_len);

  int link_type_;
  std::vector<uint8_t> buffer_;  // a made-up Ethernet header and the L3 packet
};

// Reads addresses, ports and flags from an Ethernet frame (VLAN tags
// skipped); leaves `summary.ip` false for anything else.
void Summarize(std::span<const uint8_t> frame, PacketSummary& summary);

}  // namespace pping
