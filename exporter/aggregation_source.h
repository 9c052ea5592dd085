// SPDX-License-Identifier: Apache-2.0
// Where per-prefix statistics come from: the kernel's two aggregation map
// instances in production, a fake in tests.
#pragma once

#include <vector>

#include "exporter/prefix_stats.h"

namespace pping {

class AggregationSource {
 public:
  virtual ~AggregationSource() = default;
  // Makes the datapath write the other instance. Returns once no program
  // can still be writing the instance it left.
  virtual void Flip() = 0;
  // Reads the instance not being written (CPUs summed) and clears it.
  virtual std::vector<PrefixRecord> DrainIdle() = 0;
};

}  // namespace pping
