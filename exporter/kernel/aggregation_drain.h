// SPDX-License-Identifier: Apache-2.0
// The drain: reads the double-buffered kernel aggregation maps into plain
// per-prefix records (the production AggregationSource).
#pragma once

#include <bpf/bpf.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "exporter/kernel/datapath.h"
#include "exporter/stats/aggregation_source.h"

namespace pping {

// The kernel lays one key's per-CPU values out CPU after CPU, each rounded
// up to 8 bytes.
inline constexpr size_t kAggValueStride = (sizeof(pp_agg_stats) + 7) & ~size_t{7};
inline const pp_agg_stats& AggValueOnCpu(const uint8_t* per_cpu_values, int cpu) {
  return *reinterpret_cast<const pp_agg_stats*>(per_cpu_values + static_cast<size_t>(cpu) * kAggValueStride);
}
// Adds one key's values of all `cpus` into `sum`.
void AddPerCpu(PrefixStats& sum, const uint8_t* per_cpu_values, int cpus);

class AggregationDrain : public AggregationSource {
 public:
  // The datapath starts writing instance 0 (its map-in-map is preloaded so).
  explicit AggregationDrain(AggregationMaps maps);

  void Flip() override;
  void DrainIdle(const Sink& sink) override;

 private:
  // Reads the instance a batch of keys per syscall and resets what it read;
  // false if the kernel has no batch operations for it.
  bool DrainBatched(int map_fd, const Sink& sink);
  void DrainOneByOne(int map_fd, const Sink& sink);
  // Resets the active entries of one batch and deletes the quiet ones,
  // then hands over those reset or deleted (never one left as it was: the
  // next drain would count it again).
  void ResetBatch(int map_fd, __u32 count, const Sink& sink);
  // Zeroes the entries of reset_keys_; returns how many (from the first).
  __u32 ResetEntries(int map_fd);
  const uint8_t* ValuesAt(__u32 place_in_batch) const;
  // Whether any CPU saw a packet or an RTT of the key in the interval.
  bool AnyActivity(const uint8_t* per_cpu_values) const;
  // Sums one key's per-CPU values into record_ (reused between keys).
  const PrefixRecord& Combine(const pp_agg_key& key, const uint8_t* per_cpu_values);

  AggregationMaps maps_;
  int possible_cpus_;
  size_t per_key_bytes_;  // one key's values: one per possible CPU
  __u32 keep_at_most_;    // entries a drain resets instead of deleting
  __u32 kept_ = 0;        // by the drain under way
  int active_ = 0;
  // Whether the idle instance was drained whole since it was last written:
  // nothing can have come into it since, so draining it again is skipped.
  bool idle_drained_ = true;
  // Reused between drains: a batch of keys and their per-CPU values.
  std::vector<pp_agg_key> batch_keys_;
  std::vector<uint8_t> batch_values_;
  std::vector<pp_agg_key> reset_keys_, quiet_keys_;
  std::vector<__u32> reset_at_, quiet_at_;  // their places in the batch
  std::unique_ptr<uint8_t, decltype(&std::free)> zeros_{nullptr, &std::free};
  PrefixRecord record_;
};

}  // namespace pping
