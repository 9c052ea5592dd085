// SPDX-License-Identifier: Apache-2.0
#include "exporter/aggregator.h"

#include <algorithm>

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
  // whole drain: a scrape rendering 16k prefixes and a drain of 16k
  // prefixes then interleave instead of waiting ~50 ms for each other.
  // Each prefix's statistics still change atomically.
  std::lock_guard drain(drain_mu_);
  const auto now = clock_();
  // Both instances may hold data: the one written until now, and (after a
  // failed earlier drain) the idle one. Draining the idle one first, then
  // flipping and draining again, empties both in one call.
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) source_.Flip();
    source_.DrainIdle([&](const PrefixRecord& record) {
      std::lock_guard lock(mu_);
      Entry& entry = entries_[record.key];
      entry.total.Merge(record.stats);
      entry.window.Merge(record.stats);
      entry.last_active = now;
      if (record.stats.rtt_count > 0) entry.last_rtt = record.stats;
    });
  }
  std::lock_guard lock(mu_);
  ForgetIdle(now);
  ++syncs_;
}

void Aggregator::ForgetIdle(std::chrono::steady_clock::time_point now) {
  if (expiry_.count() == 0) return;
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_active > expiry_; });
}

std::vector<PrefixSnapshot> Aggregator::Snapshot() const {
  std::vector<PrefixSnapshot> out;
  ForEach([&out](const PrefixKey& key, const PrefixStats& total, const PrefixStats& last_rtt) {
    out.push_back({key, total, last_rtt});
  });
  SortByKey(out);
  return out;
}

void Aggregator::ForEach(const Visitor& visit) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, entry] : entries_) visit(key, entry.total, entry.last_rtt);
}

std::vector<PrefixKey> Aggregator::Keys() const {
  std::lock_guard lock(mu_);
  std::vector<PrefixKey> keys;
  keys.reserve(entries_.size());
  for (const auto& kv : entries_) keys.push_back(kv.first);
  return keys;
}

void Aggregator::ForEachOf(std::span<const PrefixKey> keys, const Visitor& visit) const {
  std::lock_guard lock(mu_);
  for (const PrefixKey& key : keys) {
    const auto it = entries_.find(key);
    if (it != entries_.end()) visit(key, it->second.total, it->second.last_rtt);
  }
}

std::vector<PrefixRecord> Aggregator::TakeWindow() {
  Sync();
  std::lock_guard lock(mu_);
  std::vector<PrefixRecord> out;
  for (auto& [key, entry] : entries_) {
    const PrefixStats& w = entry.window;
    if (w.rx_packets + w.tx_packets + w.rtt_count > 0) out.push_back({key, w});
    entry.window = PrefixStats{};
  }
  SortByKey(out);
  return out;
}

size_t Aggregator::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

uint64_t Aggregator::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace pping
