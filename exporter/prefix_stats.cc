// SPDX-License-Identifier: Apache-2.0
#include "exporter/prefix_stats.h"

#include <algorithm>

namespace pping {

void PrefixStats::Merge(const PrefixStats& other) {
  rx_packets += other.rx_packets;
  rx_bytes += other.rx_bytes;
  tx_packets += other.tx_packets;
  tx_bytes += other.tx_bytes;
  if (other.rtt_count > 0) {
    rtt_min_ns = rtt_count == 0 ? other.rtt_min_ns : std::min(rtt_min_ns, other.rtt_min_ns);
    rtt_max_ns = std::max(rtt_max_ns, other.rtt_max_ns);
  }
  rtt_count += other.rtt_count;
  rtt_sum_ns += other.rtt_sum_ns;
  for (size_t i = 0; i < rtt_buckets.size(); ++i) rtt_buckets[i] += other.rtt_buckets[i];
}

PrefixStats FromKernel(const pp_agg_stats& kernel) {
  PrefixStats stats;
  stats.rx_packets = kernel.rx_packets;
  stats.rx_bytes = kernel.rx_bytes;
  stats.tx_packets = kernel.tx_packets;
  stats.tx_bytes = kernel.tx_bytes;
  stats.rtt_count = kernel.rtt_count;
  stats.rtt_sum_ns = kernel.rtt_sum_ns;
  stats.rtt_min_ns = kernel.rtt_min_ns;
  stats.rtt_max_ns = kernel.rtt_max_ns;
  std::copy(std::begin(kernel.rtt_buckets), std::end(kernel.rtt_buckets), stats.rtt_buckets.begin());
  return stats;
}

PrefixKey FromKernel(const pp_agg_key& kernel) {
  return {ToAddress16(kernel.prefix), kernel.prefix_len, kernel.proto_class, kernel.matched_on};
}

}  // namespace pping
