// SPDX-License-Identifier: Apache-2.0
// Cumulative per-prefix state in user space, fed by draining the idle
// kernel instance: the kernel maps only hold the current interval, while
// Prometheus sees counters and histograms that only ever grow.
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "exporter/aggregation_source.h"

namespace pping {

struct PrefixSnapshot {
  PrefixKey key;
  PrefixStats total;       // since start; min/max are over all time
  PrefixStats last_rtt;    // the latest interval that had RTT samples
};

class Aggregator {
 public:
  explicit Aggregator(AggregationSource& source) : source_(source) {}

  // Flip, drain and fold the drained interval into the totals. Safe to call
  // from the periodic timer and from scrapes at the same time.
  void Sync();
  std::vector<PrefixSnapshot> Snapshot() const;
  uint64_t syncs() const;

 private:
  struct Entry {
    PrefixStats total;
    PrefixStats last_rtt;
  };

  AggregationSource& source_;
  mutable std::mutex mu_;
  std::map<PrefixKey, Entry> entries_;
  uint64_t syncs_ = 0;
};

}  // namespace pping
