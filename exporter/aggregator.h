// SPDX-License-Identifier: Apache-2.0
// Cumulative per-prefix state in user space, fed by draining the idle
// kernel instance: the kernel maps only hold the current interval, while
// Prometheus sees counters and histograms that only ever grow.
#pragma once

#include <chrono>
#include <functional>
#include <unordered_map>
#include <mutex>
#include <span>
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
  std::vector<PrefixSnapshot> Snapshot() const;  // sorted by key
  // Calls `visit(key, total, last_rtt)` for every prefix in no particular
  // order, under the lock:
  // a scrape reads the state in place instead of copying every histogram.
  using Visitor = std::function<void(const PrefixKey&, const PrefixStats& total, const PrefixStats& last_rtt)>;
  void ForEach(const Visitor& visit) const;
  // The prefixes held now, for a scrape that visits them a batch at a time
  // with ForEachOf(): it can then send text between batches without
  // holding the lock a drain needs (a slow client would stall the drain).
  std::vector<PrefixKey> Keys() const;
  // Like ForEach, for those of `keys` still held, under one lock.
  void ForEachOf(std::span<const PrefixKey> keys, const Visitor& visit) const;
  // Statistics of each prefix since the previous call (for the console's
  // aggregated view), sorted by key, then starts a new window. Syncs first.
  std::vector<PrefixRecord> TakeWindow();
  uint64_t syncs() const;
  size_t size() const;  // prefixes held

 private:
  struct Entry {
    PrefixStats total;
    PrefixStats last_rtt;
    PrefixStats window;  // since the last TakeWindow()
    std::chrono::steady_clock::time_point last_active;
  };


  void ForgetIdle(std::chrono::steady_clock::time_point now);

  AggregationSource& source_;
  std::chrono::seconds expiry_;
  Clock clock_;
  std::mutex drain_mu_;    // serialises Flip/DrainIdle
  mutable std::mutex mu_;  // guards entries_ and syncs_
  // Hashed: a drain looks up every active prefix (16k per interval at
  // scale), and a tree of 16k nodes made that a chain of cache misses.
  std::unordered_map<PrefixKey, Entry, PrefixKeyHash> entries_;
  uint64_t syncs_ = 0;
};

}  // namespace pping
