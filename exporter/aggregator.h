// SPDX-License-Identifier: Apache-2.0
// Cumulative per-prefix state in user space, fed by draining the idle
// kernel instance: the kernel maps only hold the current interval, while
// Prometheus sees counters and histograms that only ever grow.
#pragma once

#include <chrono>
#include <functional>
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
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // A prefix without traffic for `expiry` is forgotten, so the exported
  // series stay bounded by the recently active prefixes; zero keeps all.
  explicit Aggregator(AggregationSource& source, std::chrono::seconds expiry = std::chrono::seconds(0),
                      Clock clock = std::chrono::steady_clock::now)
      : source_(source), expiry_(expiry), clock_(std::move(clock)) {}

  // Flip, drain and fold the drained interval into the totals. Safe to call
  // from the periodic timer and from scrapes at the same time.
  void Sync();
  std::vector<PrefixSnapshot> Snapshot() const;
  // Statistics of each prefix since the previous call (for the console's
  // aggregated view), then starts a new window. Syncs first.
  std::vector<PrefixRecord> TakeWindow();
  uint64_t syncs() const;

 private:
  struct Entry {
    PrefixStats total;
    PrefixStats last_rtt;
    PrefixStats window;  // since the last TakeWindow()
    std::chrono::steady_clock::time_point last_active;
  };

  void SyncLocked();

  void ForgetIdle(std::chrono::steady_clock::time_point now);

  AggregationSource& source_;
  std::chrono::seconds expiry_;
  Clock clock_;
  mutable std::mutex mu_;
  std::map<PrefixKey, Entry> entries_;
  uint64_t syncs_ = 0;
};

}  // namespace pping
