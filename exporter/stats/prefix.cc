// SPDX-License-Identifier: Apache-2.0
#include "exporter/stats/prefix.h"

#include <arpa/inet.h>

#include <cstring>

#include "exporter/util/error.h"

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

}  // namespace pping
