// SPDX-License-Identifier: Apache-2.0
// Builds Ethernet frames for datapath tests: TCP with or without the
// timestamp option, and ICMP/ICMPv6 echo, over IPv4 or IPv6 (picked from
// the address text).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pping::testing {

using Frame = std::vector<uint8_t>;

enum TcpFlag : uint8_t { kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10 };

struct TcpTimestamps {
  uint32_t tsval;
  uint32_t tsecr;
};

struct TcpSegment {
  std::string src, dst;
  uint16_t sport = 40000, dport = 80;
  uint8_t flags = kAck;
  std::optional<TcpTimestamps> timestamps;
  size_t payload = 0;
  // Options before the timestamps (e.g. MSS, SACK-permitted), which then
  // follow unaligned; without any, NOP, NOP, timestamps as Linux sends them.
  std::vector<uint8_t> leading_options = {};
  uint32_t seq = 1000;
  uint32_t ack = 2000;
  std::vector<uint8_t> data = {};  // the payload's bytes, instead of `payload` filler bytes
};

Frame BuildTcp(const TcpSegment& segment);

// Echo request (or reply) with identifier `id` and sequence `seq`.
Frame BuildEcho(const std::string& src, const std::string& dst, bool request, uint16_t id, uint16_t seq);

// A UDP datagram carrying `data`.
Frame BuildUdp(const std::string& src, const std::string& dst, uint16_t sport, uint16_t dport,
               const std::vector<uint8_t>& data);

// A DNS message: a query for example.test/A, or its response with `rcode`
// (no answer records); `questions` is the header's QDCOUNT.
struct DnsMessage {
  uint16_t id = 0x1234;
  bool response = false;
  uint8_t rcode = 0;
  uint16_t questions = 1;
};
std::vector<uint8_t> BuildDns(const DnsMessage& message);
// The same with the 2-byte length in front, as DNS over TCP sends it.
std::vector<uint8_t> BuildDnsOverTcp(const DnsMessage& message);

// Rewrites the source address of an IPv4 frame built above (Ethernet
// header, no VLAN tag), `address` in host order; the checksums are left
// as they were.
void SetIpv4Source(Frame& frame, uint32_t address);

// The first `bytes` bytes of a frame, to model truncation.
Frame Truncate(Frame frame, size_t bytes);

}  // namespace pping::testing
