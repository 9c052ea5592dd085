// SPDX-License-Identifier: Apache-2.0
// Cumulative per-prefix state in user space, fed by draining the idle
// kernel instance: the kernel maps only hold the current interval, while
// Prometheus sees counters and histograms that only ever grow.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "exporter/stats/aggregation_source.h"

namespace pping {

struct PrefixSnapshot {
  PrefixKey key;
  PrefixStats total;  // since start; min/max are over all time
  RttRange last_rtt;  // of the latest interval that had RTT samples
};

struct AggregatorOptions {
  // A prefix without traffic for `expiry` is forgotten, so the exported
  // series stay bounded by the recently active prefixes; zero keeps all.
  std::chrono::nanoseconds expiry{0};
  // Whether TakeWindow() is used (the console's aggregated output). Only
  // then is a second histogram per prefix kept and merged on every drain.
  bool windows = false;
};

class Aggregator {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit Aggregator(AggregationSource& source, AggregatorOptions options = {},
                      Clock clock = std::chrono::steady_clock::now)
      : source_(source), options_(options), clock_(std::move(clock)) {}

  // Flip, drain and fold the drained interval into the totals. Safe to call
  // from the periodic timer and from scrapes at the same time.
  void Sync();
  std::vector<PrefixSnapshot> Snapshot() const;  // sorted by key
  // Calls `visit(key, total, last_rtt)` for every prefix in no particular
  // order, under the lock.
  using Visitor = std::function<void(const PrefixKey&, const PrefixStats& total, const RttRange& last_rtt)>;
  void ForEach(const Visitor& visit) const;
  // A scrape's walk over the prefixes held when it began, a batch per hold
  // of the lock: text is sent between batches, without holding the lock a
  // drain needs (a slow client would stall the drain), and each prefix is
  // read in place, neither copied nor looked up. Prefixes forgotten before
  // their turn are skipped; those added after the walk began are left to
  // the next scrape, so none is visited twice.
  struct Walk {
    size_t next_slot = 0;
    uint64_t last_added = 0;  // the newest prefix the walk covers
  };
  Walk BeginWalk() const;
  // `slot`: the prefix's place, the same for as long as it is held (a slot
  // freed is later given to another prefix), for keeping things per prefix.
  using WalkVisitor =
      std::function<void(uint32_t slot, const PrefixKey&, const PrefixStats& total, const RttRange& last_rtt)>;
  // Visits up to `count` more prefixes of the walk; false once it is done.
  bool ContinueWalk(Walk& walk, size_t count, const WalkVisitor& visit) const;
  // Statistics of each prefix since the previous call (for the console's
  // aggregated view), sorted by key, then starts a new window. Syncs first.
  // Only with AggregatorOptions::windows.
  std::vector<PrefixRecord> TakeWindow();
  uint64_t syncs() const;
  size_t size() const;  // prefixes held
  // One past the highest slot in use: what per-slot state elsewhere (the
  // scrape's label text) needs to keep.
  size_t slot_count() const;

 private:
  // Prefixes live in slots that keep their place until forgotten: a walk
  // goes through them in slot order while drains add and forget prefixes.
  struct Entry {
    PrefixKey key;
    uint64_t added = 0;  // when it was added, counting from 1; 0: free slot
    PrefixStats total;
    RttRange last_rtt;
    std::chrono::steady_clock::time_point last_active;
  };

  uint32_t SlotOf(const PrefixKey& key);  // adds the prefix if new
  // Both return how many slots at the end were given back.
  size_t ForgetIdle(std::chrono::steady_clock::time_point now);
  size_t ReleaseFreeTail();

  AggregationSource& source_;
  AggregatorOptions options_;
  Clock clock_;
  std::mutex drain_mu_;  // serialises Flip/DrainIdle, and guards released_slots_
  // Slots given back since memory was last handed to the system, which
  // happens every kSlotsPerRelease: handing it back walks the whole heap.
  static constexpr size_t kSlotsPerRelease = 256;
  size_t released_slots_ = 0;
  mutable std::mutex mu_;  // guards everything below
  // Deques: growing them never moves the (large) entries under the lock.
  std::deque<Entry> slots_;
  std::deque<PrefixStats> windows_;  // by slot, since the last TakeWindow()
  // Lowest first: prefixes gather in the front slots, so that the slots
  // at the end, once free, are given back (after a peak of prefixes).
  std::set<uint32_t> free_slots_;
  // Hashed: a drain looks up every active prefix, and a tree made each
  // lookup a chain of cache misses.
  std::unordered_map<PrefixKey, uint32_t, PrefixKeyHash> slot_of_;
  uint64_t added_ = 0;  // prefixes added so far
  uint64_t syncs_ = 0;
};

}  // namespace pping
