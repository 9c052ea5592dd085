// SPDX-License-Identifier: Apache-2.0
#include "exporter/prefix_stats.h"

#include <algorithm>
#include <cstring>

namespace pping {

namespace {

// Adds counts from a user-space or a kernel (one CPU's) value; min and max
// combine, counting only sides that had samples.
template <typename From>
void Accumulate(PrefixStats& into, const From& from) {
  into.rx_packets += from.rx_packets;
  into.rx_bytes += from.rx_bytes;
  into.tx_packets += from.tx_packets;
  into.tx_bytes += from.tx_bytes;
  if (from.rtt_count > 0) {
    into.rtt_min_ns = into.rtt_count == 0 ? from.rtt_min_ns : std::min<uint64_t>(into.rtt_min_ns, from.rtt_min_ns);
    into.rtt_max_ns = std::max<uint64_t>(into.rtt_max_ns, from.rtt_max_ns);
  }
  into.rtt_count += from.rtt_count;
  into.rtt_sum_ns += from.rtt_sum_ns;
  for (size_t i = 0; i < into.rtt_buckets.size(); ++i) into.rtt_buckets[i] += from.rtt_buckets[i];
}

}  // namespace

void PrefixStats::Merge(const PrefixStats& other) { Accumulate(*this, other); }

void AddKernel(PrefixStats& stats, const pp_agg_stats& kernel) { Accumulate(stats, kernel); }

size_t PrefixKeyHash::operator()(const PrefixKey& key) const {
  uint64_t halves[2];
  std::memcpy(halves, key.prefix.data(), sizeof(halves));
  const uint64_t small = uint64_t{key.prefix_len} << 16 | uint64_t{key.proto_class} << 8 | key.matched_on;
  uint64_t h = halves[0] * 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 29) ^ halves[1]) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 31) ^ small) * 0x94d049bb133111ebull;
  return static_cast<size_t>(h ^ (h >> 32));
}

PrefixKey FromKernel(const pp_agg_key& kernel) {
  return {ToAddress16(kernel.prefix), kernel.prefix_len, kernel.proto_class, kernel.matched_on};
}

}  // namespace pping
