// SPDX-License-Identifier: Apache-2.0
// Cumulative per-prefix state in user space, fed by draining the idle
// kernel instance: the kernel maps only hold the current interval, while
// Prometheus sees counters and histograms that only ever grow.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
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
  // At most this many prefixes are held; zero: no limit. A new prefix
  // beyond it evicts the least recently active one that never had an RTT
  // sample (spoofed sources make only those), or, if every one had, the
  // least recently active of all.
  size_t max_prefixes = 0;
};

// Prefixes given up to make room under AggregatorOptions::max_prefixes.
struct Evictions {
  uint64_t traffic_only = 0;  // had no RTT sample
  uint64_t with_rtt = 0;
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
  Evictions evictions() const;
  size_t max_prefixes() const { return options_.max_prefixes; }
  // One past the highest slot in use: what per-slot state elsewhere (the
  // scrape's label text) needs to keep.
  size_t slot_count() const;

 private:
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  // What a prefix without RTT samples counts: PrefixStats without the
  // histogram that makes up most of its size, so that the many prefixes
  // which only send (spoofed sources among them) cost little.
  struct Traffic {
    uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
    uint64_t rx_retransmits = 0, tx_retransmits = 0, tx_spurious_retransmits = 0;
  };
  // Prefixes live in slots that keep their place until forgotten: a walk
  // goes through them in slot order while drains add and forget prefixes.
  struct Entry {
    PrefixKey key;
    uint64_t added = 0;  // when it was added, counting from 1; 0: free slot
    std::chrono::steady_clock::time_point last_active;
    // Neighbours in the recency list of its kind (traffic only, or with RTTs).
    uint32_t older = kNoSlot, newer = kNoSlot;
    Traffic traffic;                     // while `stats` is null
    std::unique_ptr<PrefixStats> stats;  // everything, from the first RTT sample on
    RttRange last_rtt;
    bool has_rtt() const { return stats != nullptr; }
  };
  // Least recently active first: who is evicted at the limit.
  struct Recency {
    uint32_t oldest = kNoSlot, newest = kNoSlot;
  };

  uint32_t SlotOf(const PrefixKey& key);  // adds the prefix if new
  void Fold(Entry& entry, const PrefixStats& stats);
  void Forget(uint32_t slot);
  void EvictOne();
  void Unlink(uint32_t slot);
  void LinkNewest(uint32_t slot);
  // `total` of the entry: in place, or built in `scratch` for traffic only.
  static const PrefixStats& TotalOf(const Entry& entry, PrefixStats& scratch);
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
  // Deques: growing them never moves the entries under the lock.
  std::deque<Entry> slots_;
  std::deque<PrefixStats> windows_;  // by slot, since the last TakeWindow()
  // Lowest first: prefixes gather in the front slots, so that the slots
  // at the end, once free, are given back (after a peak of prefixes).
  std::set<uint32_t> free_slots_;
  // Hashed: a drain looks up every active prefix, and a tree made each
  // lookup a chain of cache misses.
  std::unordered_map<PrefixKey, uint32_t, PrefixKeyHash> slot_of_;
  Recency recency_[2];  // [has_rtt()]
  Evictions evictions_;
  uint64_t added_ = 0;  // prefixes added so far
  uint64_t syncs_ = 0;
};

}  // namespace pping
