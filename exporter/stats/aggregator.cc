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
      Unlink(slot);
      Fold(entry, record.stats);
      LinkNewest(slot);
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
  if (const auto it = slot_of_.find(key); it != slot_of_.end()) return it->second;
  if (options_.max_prefixes > 0 && slot_of_.size() >= options_.max_prefixes) EvictOne();
  uint32_t slot = static_cast<uint32_t>(slots_.size());
  if (free_slots_.empty()) {
    slots_.emplace_back();
    if (options_.windows) windows_.emplace_back();
  } else {
    slot = *free_slots_.begin();
    free_slots_.erase(free_slots_.begin());
  }
  slot_of_.emplace(key, slot);
  Entry& entry = slots_[slot];
  entry = Entry{};
  entry.key = key;
  entry.added = ++added_;
  LinkNewest(slot);
  if (options_.windows) windows_[slot] = PrefixStats{};
  return slot;
}

void Aggregator::Fold(Entry& entry, const PrefixStats& stats) {
  if (!entry.has_rtt() && stats.rtt_count > 0) {
    // The first RTT sample: from now on everything is counted in full,
    // starting from the traffic so far.
    auto full = std::make_unique<PrefixStats>();
    TotalOf(entry, *full);
    entry.stats = std::move(full);
  }
  if (entry.has_rtt()) {
    entry.stats->Merge(stats);
    return;
  }
  Traffic& t = entry.traffic;
  t.rx_packets += stats.rx_packets;
  t.rx_bytes += stats.rx_bytes;
  t.tx_packets += stats.tx_packets;
  t.tx_bytes += stats.tx_bytes;
  t.rx_retransmits += stats.rx_retransmits;
  t.tx_retransmits += stats.tx_retransmits;
  t.tx_spurious_retransmits += stats.tx_spurious_retransmits;
}

const PrefixStats& Aggregator::TotalOf(const Entry& entry, PrefixStats& scratch) {
  if (entry.has_rtt()) return *entry.stats;
  // `scratch` only ever holds traffic: its RTT fields stay zero.
  const Traffic& t = entry.traffic;
  scratch.rx_packets = t.rx_packets;
  scratch.rx_bytes = t.rx_bytes;
  scratch.tx_packets = t.tx_packets;
  scratch.tx_bytes = t.tx_bytes;
  scratch.rx_retransmits = t.rx_retransmits;
  scratch.tx_retransmits = t.tx_retransmits;
  scratch.tx_spurious_retransmits = t.tx_spurious_retransmits;
  return scratch;
}

void Aggregator::Unlink(uint32_t slot) {
  Entry& entry = slots_[slot];
  Recency& list = recency_[entry.has_rtt()];
  // Not in its list (a fold that threw between unlink and link): nothing
  // to take out, and the list's ends must stay.
  if (entry.older == kNoSlot && entry.newer == kNoSlot && list.oldest != slot) return;
  (entry.older == kNoSlot ? list.oldest : slots_[entry.older].newer) = entry.newer;
  (entry.newer == kNoSlot ? list.newest : slots_[entry.newer].older) = entry.older;
  entry.older = entry.newer = kNoSlot;
}

void Aggregator::LinkNewest(uint32_t slot) {
  Entry& entry = slots_[slot];
  Recency& list = recency_[entry.has_rtt()];
  entry.older = list.newest;
  entry.newer = kNoSlot;
  (list.newest == kNoSlot ? list.oldest : slots_[list.newest].newer) = slot;
  list.newest = slot;
}

void Aggregator::Forget(uint32_t slot) {
  Entry& entry = slots_[slot];
  Unlink(slot);
  slot_of_.erase(entry.key);
  entry.added = 0;
  entry.stats.reset();
  free_slots_.insert(slot);
}

void Aggregator::EvictOne() {
  const bool with_rtt = recency_[0].oldest == kNoSlot;
  const uint32_t victim = recency_[with_rtt].oldest;
  if (victim == kNoSlot) return;
  Forget(victim);
  ++(with_rtt ? evictions_.with_rtt : evictions_.traffic_only);
}

size_t Aggregator::ForgetIdle(std::chrono::steady_clock::time_point now) {
  if (options_.expiry.count() == 0) return 0;
  // Oldest first in both lists: the idle ones are at their front.
  for (Recency& list : recency_) {
    while (list.oldest != kNoSlot && now - slots_[list.oldest].last_active > options_.expiry) Forget(list.oldest);
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
  PrefixStats scratch;
  for (const Entry& entry : slots_) {
    if (entry.added != 0) visit(entry.key, TotalOf(entry, scratch), entry.last_rtt);
  }
}

Aggregator::Walk Aggregator::BeginWalk() const {
  std::lock_guard lock(mu_);
  return {0, added_};
}

bool Aggregator::ContinueWalk(Walk& walk, size_t count, const WalkVisitor& visit) const {
  std::lock_guard lock(mu_);
  PrefixStats scratch;
  for (size_t visited = 0; walk.next_slot < slots_.size() && visited < count; ++walk.next_slot) {
    const Entry& entry = slots_[walk.next_slot];
    if (entry.added == 0 || entry.added > walk.last_added) continue;
    visit(static_cast<uint32_t>(walk.next_slot), entry.key, TotalOf(entry, scratch), entry.last_rtt);
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

Evictions Aggregator::evictions() const {
  std::lock_guard lock(mu_);
  return evictions_;
}

uint64_t Aggregator::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace pping
