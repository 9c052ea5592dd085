// SPDX-License-Identifier: Apache-2.0
// Plain per-prefix statistics as user space keeps them: what the map
// readers return and the collector renders. No BPF structs (only the ABI's
// constants: bucket count, hook numbers) and no Prometheus types.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <vector>

#include "bpf/abi/pping_abi.h"
#include "exporter/stats/prefix.h"

namespace pping {

// The bits of an ifindex the datapath keeps per prefix (pp_agg_key.ifindex).
inline constexpr uint32_t kIfindexMask = PP_IFINDEX_MASK;

struct PrefixKey {
  Address16 prefix{};
  uint8_t prefix_len = 0;                 // counted on the 16-byte form
  uint8_t proto_class = 0;                // enum pp_proto_class
  uint8_t matched_on = PP_DIR_INGRESS;    // hook that matched the RTTs
  uint8_t method = PP_METHOD_IDENTIFIER;  // enum pp_rtt_method; traffic is counted under the identifier method
  uint8_t rcode = 0;                      // PP_METHOD_DNS: the responses' code
  uint32_t ifindex = 0;                   // the device's ifindex & kIfindexMask; 0: not split by interface
  auto operator<=>(const PrefixKey&) const = default;
};

// For hashed containers: mixes the address halves and the small fields.
struct PrefixKeyHash {
  size_t operator()(const PrefixKey& key) const;
};

struct PrefixStats {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t rtt_count = 0;
  uint64_t rtt_sum_ns = 0;
  uint64_t rtt_min_ns = 0;  // 0: no sample
  uint64_t rtt_max_ns = 0;
  std::array<uint64_t, PP_HIST_BUCKETS> rtt_buckets{};
  // TCP segments the prefix sent again (rx) or was sent again (tx), and
  // those sent to it that were shown needless (spurious).
  uint64_t rx_retransmits = 0;
  uint64_t tx_retransmits = 0;
  uint64_t tx_spurious_retransmits = 0;

  // Adds another interval's counts; min/max combine, counting only sides
  // that had samples. `Counts` is PrefixStats or any record with the same
  // fields (the kernel's per-CPU value).
  template <typename Counts>
  void Merge(const Counts& other);
  bool operator==(const PrefixStats&) const = default;
};

template <typename Counts>
void PrefixStats::Merge(const Counts& other) {
  rx_packets += other.rx_packets;
  rx_bytes += other.rx_bytes;
  tx_packets += other.tx_packets;
  tx_bytes += other.tx_bytes;
  if (other.rtt_count > 0) {
    rtt_min_ns = rtt_count == 0 ? other.rtt_min_ns : std::min<uint64_t>(rtt_min_ns, other.rtt_min_ns);
    rtt_max_ns = std::max<uint64_t>(rtt_max_ns, other.rtt_max_ns);
  }
  rtt_count += other.rtt_count;
  rtt_sum_ns += other.rtt_sum_ns;
  for (size_t i = 0; i < rtt_buckets.size(); ++i) rtt_buckets[i] += other.rtt_buckets[i];
  rx_retransmits += other.rx_retransmits;
  tx_retransmits += other.tx_retransmits;
  tx_spurious_retransmits += other.tx_spurious_retransmits;
}

// The smallest and largest RTT of one interval.
struct RttRange {
  uint64_t min_ns = 0;  // 0: no sample
  uint64_t max_ns = 0;
  bool operator==(const RttRange&) const = default;
};

struct PrefixRecord {
  PrefixKey key;
  PrefixStats stats;
};

}  // namespace pping
