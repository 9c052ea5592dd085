// SPDX-License-Identifier: Apache-2.0
// Plain per-prefix statistics as user space keeps them: what the map
// readers return and the collector renders. No BPF or Prometheus types.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <vector>

#include "exporter/prefix.h"

namespace pping {

struct PrefixKey {
  Address16 prefix{};
  uint8_t prefix_len = 0;               // counted on the 16-byte form
  uint8_t proto_class = 0;              // enum pp_proto_class
  uint8_t matched_on = PP_DIR_INGRESS;  // hook that matched the RTTs
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

  // Adds another interval's (or CPU's) counts; min/max combine.
  void Merge(const PrefixStats& other);
  bool operator==(const PrefixStats&) const = default;
};

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

// Adds one CPU's kernel value into `stats`.
void AddKernel(PrefixStats& stats, const pp_agg_stats& kernel);
PrefixKey FromKernel(const pp_agg_key& kernel);

}  // namespace pping
