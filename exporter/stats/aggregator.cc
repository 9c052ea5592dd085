// SPDX-License-Identifier: Apache-2.0
#include "exporter/stats/aggregator.h"

#include <algorithm>
#include <stdexcept>

#include "exporter/util/release_memory.h"

namespace pping {
namespace {

// Listings in key order: the hash table holding the prefixes has none.
template <typename Keyed>
void SortByKey(std::vector<Keyed>& v) {
  std::sort(v.begin(), v.end(), [](const Keyed& a, const Keyed& b) { return a.key < b.key; });
}

}  // namespace

void Aggregator::Sync() {
  // One drain at a time. The entries' lock is taken per record, not for the
  // whole drain: a scrape writing many prefixes and a drain of many
  // prefixes then interleave instead of waiting for each other. Each
  // prefix's statistics still change atomically.
  std::lock_guard drain(drain_mu_);
  const auto now = clock_();
  // Both instances may hold data: the one written until now, and (after a
  // failed earlier drain) the idle one. Draining the idle one first, then
  // flipping and draining again, empties both in one call.
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) source_.Flip();
    source_.DrainIdle([&](const PrefixRecord& record) {
      std::lock_guard lock(mu_);
      const uint32_t slot = SlotOf(record.key);
      Entry& entry = slots_[slot];
      entry.total.Merge(record.stats);
      if (options_.windows) windows_[slot].Merge(record.stats);
      entry.last_active = now;
      if (record.stats.rtt_count > 0) entry.last_rtt = {record.stats.rtt_min_ns, record.stats.rtt_max_ns};
    });
  }
  {
    std::lock_guard lock(mu_);
    released_slots_ += ForgetIdle(now);
    ++syncs_;
  }
  // Outside the lock, and only once a good amount was freed: it walks the
  // whole heap.
  if (released_slots_ >= kSlotsPerRelease) {
    ReleaseFreedMemory();
    released_slots_ = 0;
  }
}

uint32_t Aggregator::SlotOf(const PrefixKey& key) {
  const auto [it, inserted] = slot_of_.try_emplace(key, static_cast<uint32_t>(slots_.size()));
  if (!inserted) return it->second;
  if (free_slots_.empty()) {
    slots_.emplace_back();
    if (options_.windows) windows_.emplace_back();
  } else {
    it->second = *free_slots_.begin();
    free_slots_.erase(free_slots_.begin());
  }
  Entry& entry = slots_[it->second];
  entry = Entry{};
  entry.key = key;
  entry.added = ++added_;
  if (options_.windows) windows_[it->second] = PrefixStats{};
  return it->second;
}

size_t Aggregator::ForgetIdle(std::chrono::steady_clock::time_point now) {
  if (options_.expiry.count() == 0) return 0;
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    Entry& entry = slots_[slot];
    if (entry.added == 0 || now - entry.last_active <= options_.expiry) continue;
    slot_of_.erase(entry.key);
    entry.added = 0;
    free_slots_.insert(slot);
  }
  return ReleaseFreeTail();
}

// A walk in progress just ends sooner: the slots released were free.
size_t Aggregator::ReleaseFreeTail() {
  const size_t held = slots_.size();
  while (!slots_.empty() && slots_.back().added == 0) {
    slots_.pop_back();
    if (options_.windows) windows_.pop_back();
  }
  free_slots_.erase(free_slots_.lower_bound(static_cast<uint32_t>(slots_.size())), free_slots_.end());
  return held - slots_.size();
}

std::vector<PrefixSnapshot> Aggregator::Snapshot() const {
  std::vector<PrefixSnapshot> out;
  ForEach([&out](const PrefixKey& key, const PrefixStats& total, const RttRange& last_rtt) {
    out.push_back({key, total, last_rtt});
  });
  SortByKey(out);
  return out;
}

void Aggregator::ForEach(const Visitor& visit) const {
  std::lock_guard lock(mu_);
  for (const Entry& entry : slots_) {
    if (entry.added != 0) visit(entry.key, entry.total, entry.last_rtt);
  }
}

Aggregator::Walk Aggregator::BeginWalk() const {
  std::lock_guard lock(mu_);
  return {0, added_};
}

bool Aggregator::ContinueWalk(Walk& walk, size_t count, const WalkVisitor& visit) const {
  std::lock_guard lock(mu_);
  for (size_t visited = 0; walk.next_slot < slots_.size() && visited < count; ++walk.next_slot) {
    const Entry& entry = slots_[walk.next_slot];
    if (entry.added == 0 || entry.added > walk.last_added) continue;
    visit(static_cast<uint32_t>(walk.next_slot), entry.key, entry.total, entry.last_rtt);
    ++visited;
  }
  return walk.next_slot < slots_.size();
}

std::vector<PrefixRecord> Aggregator::TakeWindow() {
  if (!options_.windows) throw std::logic_error("TakeWindow() needs AggregatorOptions::windows");
  Sync();
  std::lock_guard lock(mu_);
  std::vector<PrefixRecord> out;
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (slots_[slot].added == 0) continue;
    PrefixStats& w = windows_[slot];
    if (w.rx_packets + w.tx_packets + w.rtt_count > 0) out.push_back({slots_[slot].key, w});
    w = PrefixStats{};
  }
  SortByKey(out);
  return out;
}

size_t Aggregator::size() const {
  std::lock_guard lock(mu_);
  return slot_of_.size();
}

size_t Aggregator::slot_count() const {
  std::lock_guard lock(mu_);
  return slots_.size();
}

uint64_t Aggregator::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace pping
