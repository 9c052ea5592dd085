// SPDX-License-Identifier: Apache-2.0
// The double-buffered kernel aggregation maps behind AggregationSource.
#pragma once

#include <cstdint>
#include <vector>

#include "exporter/aggregation_source.h"
#include "exporter/datapath.h"

namespace pping {

class BpfAggregationSource : public AggregationSource {
 public:
  // The datapath starts writing instance 0 (its map-in-map is preloaded so).
  explicit BpfAggregationSource(const AggregationMapFds& maps);

  void Flip() override;
  void DrainIdle(const Sink& sink) override;

 private:
  // Reads and deletes the instance a batch of keys per syscall; false if
  // the kernel has no batch operations for it.
  bool DrainBatched(int map_fd, const Sink& sink);
  void DrainOneByOne(int map_fd, const Sink& sink);
  // Sums one key's per-CPU values into record_ (reused: 1.5 KiB).
  const PrefixRecord& Combine(const pp_agg_key& key, const uint8_t* per_cpu_values);

  AggregationMapFds maps_;
  // Reused between drains: a drain runs every interval and on each scrape.
  std::vector<pp_agg_key> batch_keys_;
  std::vector<uint8_t> batch_values_;
  PrefixRecord record_;
  int active_ = 0;
  int possible_cpus_;
};

}  // namespace pping
