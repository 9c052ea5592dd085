// SPDX-License-Identifier: Apache-2.0
#include "exporter/aggregator.h"

namespace pping {

void Aggregator::Sync() {
  std::lock_guard lock(mu_);
  SyncLocked();
}

void Aggregator::SyncLocked() {
  const auto now = clock_();
  // Both instances may hold data: the one written until now, and (after a
  // failed earlier drain) the idle one. Draining the idle one first, then
  // flipping and draining again, empties both in one call.
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) source_.Flip();
    for (const PrefixRecord& record : source_.DrainIdle()) {
      Entry& entry = entries_[record.key];
      entry.total.Merge(record.stats);
      entry.window.Merge(record.stats);
      entry.last_active = now;
      if (record.stats.rtt_count > 0) entry.last_rtt = record.stats;
    }
  }
  ForgetIdle(now);
  ++syncs_;
}

void Aggregator::ForgetIdle(std::chrono::steady_clock::time_point now) {
  if (expiry_.count() == 0) return;
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_active > expiry_; });
}

std::vector<PrefixSnapshot> Aggregator::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<PrefixSnapshot> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back({key, entry.total, entry.last_rtt});
  return out;
}

std::vector<PrefixRecord> Aggregator::TakeWindow() {
  std::lock_guard lock(mu_);
  SyncLocked();
  std::vector<PrefixRecord> out;
  for (auto& [key, entry] : entries_) {
    const PrefixStats& w = entry.window;
    if (w.rx_packets + w.tx_packets + w.rtt_count > 0) out.push_back({key, w});
    entry.window = PrefixStats{};
  }
  return out;
}

uint64_t Aggregator::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace pping
