// SPDX-License-Identifier: Apache-2.0
#include "exporter/stats/prefix_stats.h"

#include <cstring>

namespace pping {

size_t PrefixKeyHash::operator()(const PrefixKey& key) const {
  uint64_t halves[2];
  std::memcpy(halves, key.prefix.data(), sizeof(halves));
  const uint64_t small = uint64_t{key.rcode} << 24 | uint64_t{key.prefix_len} << 16 | uint64_t{key.proto_class} << 8 |
                         uint64_t{key.method} << 4 | key.matched_on;
  uint64_t h = (halves[0] ^ uint64_t{key.ifindex} << 40) * 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 29) ^ halves[1]) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 31) ^ small) * 0x94d049bb133111ebull;
  return static_cast<size_t>(h ^ (h >> 32));
}

}  // namespace pping
