// SPDX-License-Identifier: Apache-2.0
// For tests: two instances like the kernel's. Writes go to the active one;
// Flip swaps; DrainIdle empties the other. Counts how it was driven.
#pragma once

#include <map>

#include "exporter/stats/aggregation_source.h"

namespace pping {

class FakeInstances : public AggregationSource {
 public:
  void Write(const PrefixKey& key, const PrefixStats& stats) { instances_[active_][key].Merge(stats); }
  void Flip() override {
    active_ = 1 - active_;
    ++flips;
  }
  void DrainIdle(const Sink& sink) override {
    for (const auto& [key, stats] : instances_[1 - active_]) sink({key, stats});
    instances_[1 - active_].clear();
  }
  bool Empty() const { return instances_[0].empty() && instances_[1].empty(); }
  int flips = 0;

 private:
  std::map<PrefixKey, PrefixStats> instances_[2];
  int active_ = 0;
};

}  // namespace pping
