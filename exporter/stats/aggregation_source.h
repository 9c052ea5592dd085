// SPDX-License-Identifier: Apache-2.0
// Where per-prefix statistics come from: the kernel's two aggregation map
// instances in production, a fake in tests.
#pragma once

#include <functional>

#include "exporter/stats/prefix_stats.h"

namespace pping {

class AggregationSource {
 public:
  virtual ~AggregationSource() = default;
  // Makes the datapath write the other instance. Returns once no program
  // can still be writing the instance it left.
  virtual void Flip() = 0;
  // Reads the instance not being written (CPUs summed) and clears it,
  // handing each prefix to `sink` as it is read (no list of records built).
  using Sink = std::function<void(const PrefixRecord&)>;
  virtual void DrainIdle(const Sink& sink) = 0;
};

}  // namespace pping
