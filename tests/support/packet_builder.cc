// SPDX-License-Identifier: Apache-2.0
#include "tests/support/packet_builder.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace pping::testing {
namespace {

constexpr uint8_t kIpProtoTcp = 6, kIpProtoUdp = 17, kIpProtoIcmp = 1, kIpProtoIcmpv6 = 58;

void Put16(Frame& f, uint16_t v) {
  f.push_back(v >> 8);
  f.push_back(v & 0xff);
}

void Put32(Frame& f, uint32_t v) {
  Put16(f, v >> 16);
  Put16(f, v & 0xffff);
}

bool IsV6(const std::string& addr) { return addr.find(':') != std::string::npos; }

void PutAddress(Frame& f, const std::string& text) {
  uint8_t bytes[16];
  const int family = IsV6(text) ? AF_INET6 : AF_INET;
  if (inet_pton(family, text.c_str(), bytes) != 1) throw std::invalid_argument("bad address " + text);
  f.insert(f.end(), bytes, bytes + (family == AF_INET6 ? 16 : 4));
}

// Ethernet and IP headers for an L4 payload of `l4_len` bytes.
Frame Headers(const std::string& src, const std::string& dst, uint8_t proto, size_t l4_len) {
  Frame f(12, 0x02);  // destination and source MAC
  if (IsV6(src)) {
    Put16(f, 0x86dd);
    Put32(f, 0x60000000);  // version 6, no traffic class or flow label
    Put16(f, static_cast<uint16_t>(l4_len));
    f.push_back(proto);
    f.push_back(64);
  } else {
    Put16(f, 0x0800);
    f.push_back(0x45);  // version 4, 20-byte header
    f.push_back(0);
    Put16(f, static_cast<uint16_t>(20 + l4_len));
    Put32(f, 0);  // id, flags, fragment offset
    f.push_back(64);
    f.push_back(proto);
    Put16(f, 0);  // checksum: the datapath does not verify it
  }
  PutAddress(f, src);
  PutAddress(f, dst);
  return f;
}

}  // namespace

namespace {

// The option bytes, padded with NOPs to whole 32-bit words.
std::vector<uint8_t> TcpOptions(const TcpSegment& s) {
  std::vector<uint8_t> options = s.leading_options;
  if (s.timestamps) {
    if (options.empty()) options = {1, 1};  // NOP, NOP: the aligned layout
    options.push_back(8);
    options.push_back(10);
    for (uint32_t v : {s.timestamps->tsval, s.timestamps->tsecr}) {
      for (int shift = 24; shift >= 0; shift -= 8) options.push_back(static_cast<uint8_t>(v >> shift));
    }
  }
  while (options.size() % 4) options.push_back(1);
  return options;
}

}  // namespace

Frame BuildTcp(const TcpSegment& s) {
  const std::vector<uint8_t> option_bytes = TcpOptions(s);
  const size_t options = option_bytes.size();
  const size_t payload = s.data.empty() ? s.payload : s.data.size();
  Frame f = Headers(s.src, s.dst, kIpProtoTcp, 20 + options + payload);
  Put16(f, s.sport);
  Put16(f, s.dport);
  Put32(f, s.seq);
  Put32(f, s.ack);
  f.push_back(static_cast<uint8_t>(((20 + options) / 4) << 4));
  f.push_back(s.flags);
  Put16(f, 65535);  // window
  Put32(f, 0);      // checksum, urgent pointer
  f.insert(f.end(), option_bytes.begin(), option_bytes.end());
  if (s.data.empty()) {
    f.insert(f.end(), s.payload, 0xab);
  } else {
    f.insert(f.end(), s.data.begin(), s.data.end());
  }
  return f;
}

Frame BuildUdp(const std::string& src, const std::string& dst, uint16_t sport, uint16_t dport,
               const std::vector<uint8_t>& data) {
  Frame f = Headers(src, dst, kIpProtoUdp, 8 + data.size());
  Put16(f, sport);
  Put16(f, dport);
  Put16(f, static_cast<uint16_t>(8 + data.size()));
  Put16(f, 0);  // checksum
  f.insert(f.end(), data.begin(), data.end());
  return f;
}

std::vector<uint8_t> BuildDns(const DnsMessage& m) {
  Frame f;
  Put16(f, m.id);
  Put16(f, static_cast<uint16_t>((m.response ? 0x8000 : 0) | 0x0100 | (m.response ? 0x0080 : 0) | (m.rcode & 0xf)));
  Put16(f, m.questions);
  Put16(f, 0);  // answers
  Put16(f, 0);  // authority
  Put16(f, 0);  // additional
  for (const char* label : {"example", "test"}) {
    f.push_back(static_cast<uint8_t>(std::strlen(label)));
    f.insert(f.end(), label, label + std::strlen(label));
  }
  f.push_back(0);
  Put16(f, 1);  // type A
  Put16(f, 1);  // class IN
  return f;
}

std::vector<uint8_t> BuildDnsOverTcp(const DnsMessage& m) {
  const std::vector<uint8_t> message = BuildDns(m);
  Frame f;
  Put16(f, static_cast<uint16_t>(message.size()));
  f.insert(f.end(), message.begin(), message.end());
  return f;
}

Frame BuildEcho(const std::string& src, const std::string& dst, bool request, uint16_t id, uint16_t seq) {
  const bool v6 = IsV6(src);
  Frame f = Headers(src, dst, v6 ? kIpProtoIcmpv6 : kIpProtoIcmp, 8 + 32);
  f.push_back(v6 ? (request ? 128 : 129) : (request ? 8 : 0));
  f.push_back(0);
  Put16(f, 0);  // checksum
  Put16(f, id);
  Put16(f, seq);
  f.insert(f.end(), 32, 0x5a);
  return f;
}

void SetIpv4Source(Frame& frame, uint32_t address) {
  constexpr size_t kSource = 14 + 12;  // Ethernet header, then the IPv4 source
  const uint32_t wire = htonl(address);
  std::memcpy(frame.data() + kSource, &wire, sizeof(wire));
}

Frame Truncate(Frame frame, size_t bytes) {
  frame.resize(std::min(bytes, frame.size()));
  return frame;
}

}  // namespace pping::testing
