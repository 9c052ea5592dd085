// SPDX-License-Identifier: Apache-2.0
#include "exporter/prefix.h"

#include <arpa/inet.h>

#include <cstring>

#include "exporter/error.h"

namespace pping {
namespace {

constexpr unsigned kMappedIpv4Offset = 96;  // bits before a.b.c.d in ::ffff:a.b.c.d

}  // namespace

bool IsMappedIpv4(const Address16& addr) {
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(addr.data(), kMappedPrefix, sizeof(kMappedPrefix)) == 0;
}

std::string PrefixText(const Address16& prefix, unsigned mapped_len) {
  char text[INET6_ADDRSTRLEN] = {};
  if (IsMappedIpv4(prefix) && mapped_len >= kMappedIpv4Offset) {
    inet_ntop(AF_INET, prefix.data() + 12, text, sizeof(text));
    return std::string(text) + "/" + std::to_string(mapped_len - kMappedIpv4Offset);
  }
  inet_ntop(AF_INET6, prefix.data(), text, sizeof(text));
  return std::string(text) + "/" + std::to_string(mapped_len);
}

Address16 PrefixMask(unsigned mapped_len) {
  Address16 mask{};
  for (unsigned bit = 0; bit < mapped_len && bit < 128; ++bit) {
    mask[bit / 8] |= static_cast<uint8_t>(0x80u >> (bit % 8));
  }
  return mask;
}

pp_config MakePrefixConfig(unsigned ipv4_len, unsigned ipv6_len) {
  if (ipv4_len > 32) throw UsageError("IPv4 prefix length must be 0..32, got " + std::to_string(ipv4_len));
  if (ipv6_len > 128) throw UsageError("IPv6 prefix length must be 0..128, got " + std::to_string(ipv6_len));
  pp_config config{};
  const Address16 v4 = PrefixMask(kMappedIpv4Offset + ipv4_len);
  const Address16 v6 = PrefixMask(ipv6_len);
  std::memcpy(config.ipv4_mask, v4.data(), v4.size());
  std::memcpy(config.ipv6_mask, v6.data(), v6.size());
  config.ipv4_prefix_len = static_cast<uint8_t>(kMappedIpv4Offset + ipv4_len);
  config.ipv6_prefix_len = static_cast<uint8_t>(ipv6_len);
  return config;
}

Address16 ParseAddress(const std::string& text) {
  Address16 out{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.data()) == 1) return out;
  throw UsageError("not an IP address: " + text);
}

Address16 ToAddress16(const pp_addr& addr) {
  Address16 out{};
  std::memcpy(out.data(), addr.bytes, out.size());
  return out;
}

}  // namespace pping
