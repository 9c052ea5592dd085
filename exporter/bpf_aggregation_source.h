// SPDX-License-Identifier: Apache-2.0
// The double-buffered kernel aggregation maps behind AggregationSource.
#pragma once

#include "exporter/aggregation_source.h"
#include "exporter/datapath.h"

namespace pping {

class BpfAggregationSource : public AggregationSource {
 public:
  // The datapath starts writing instance 0 (its map-in-map is preloaded so).
  explicit BpfAggregationSource(const AggregationMapFds& maps);

  void Flip() override;
  std::vector<PrefixRecord> DrainIdle() override;

 private:
  AggregationMapFds maps_;
  int active_ = 0;
  int possible_cpus_;
};

}  // namespace pping
