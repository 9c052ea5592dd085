// SPDX-License-Identifier: Apache-2.0
#include "exporter/cleanup/map_cleaner.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "exporter/util/error.h"

namespace pping {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;

// Passes are spaced at least this many times their own duration apart
// (fewer when an insert failed), so huge maps cost a bounded share of a CPU.
constexpr uint64_t kPassSpacing = 20;
constexpr uint64_t kPassSpacingUnderPressure = 5;
// How often refused insertions are warned about at most.
constexpr uint64_t kWarningEveryNs = 10 * kNsPerSecond;

// Eviction starts at the high watermark and stops at the low one.
constexpr double kHighWatermark = 0.90;
constexpr double kLowWatermark = 0.75;
// A map this full grows, below the eviction's watermark so that it grows
// first, to at least twice the entries it holds: a burst of new flows has
// room while the next pass comes.
constexpr double kGrowAt = 0.75;
constexpr double kGrowTo = 0.5;
// A map at most this full for kShrinkAfterNs shrinks to half (a quarter
// full then at most): the kernel's bucket array follows the capacity.
constexpr double kShrinkAt = 0.125;
constexpr uint64_t kShrinkAfterNs = 60 * kNsPerSecond;
constexpr uint64_t kRetryResizeAfterNs = 60 * kNsPerSecond;

const char* MapName(MapKind kind) { return kind == MapKind::kFlows ? "flow" : "timestamp"; }

template <typename Key>
struct Candidate {
  uint64_t touched_ns;  // last seen (flows) or stamped (timestamps)
  Key key;
  bool bidirectional = false;
};

// Evicts the oldest candidates until at most `keep` remain, sparing any
// younger than `protect_ns`; counts the evicted per class and tells
// `on_evict` of each.
template <typename Key, typename Delete>
void EvictOldest(std::vector<Candidate<Key>>& survivors, size_t keep, uint64_t now_ns, uint64_t protect_ns,
                 const Delete& delete_keys, uint64_t evicted[2], const std::function<void(const Key&)>& on_evict) {
  std::sort(survivors.begin(), survivors.end(),
            [](const auto& a, const auto& b) { return a.touched_ns < b.touched_ns; });
  std::vector<Key> chosen;
  for (size_t i = 0; i < survivors.size() && survivors.size() - i > keep; ++i) {
    if (now_ns < survivors[i].touched_ns + protect_ns) break;  // the rest are younger still
    chosen.push_back(survivors[i].key);
  }
  const std::vector<bool> deleted = delete_keys(chosen);
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (!deleted[i]) continue;  // gone meanwhile: the map shrank anyway
    ++evicted[survivors[i].bidirectional];
    if (on_evict) on_evict(chosen[i]);
  }
}

bool Bidirectional(const pp_flow_state& flow) {
  constexpr uint32_t kBoth = PP_FLOW_SEEN_INGRESS | PP_FLOW_SEEN_EGRESS;
  return (flow.flags & kBoth) == kBoth;
}

}  // namespace

MapCleaner::MapCleaner(std::unique_ptr<CleanupMaps> maps, MapCapacities capacities, const CleanupOptions& options,
                       KernelExpiry kernel_expiry)
    : maps_(std::move(maps)), capacities_(capacities), options_(options), kernel_expiry_(std::move(kernel_expiry)) {
  capacities_.flows_max = std::max(capacities_.flows_max, capacities_.flows);
  capacities_.timestamps_max = std::max(capacities_.timestamps_max, capacities_.timestamps);
  capacity_[0] = capacities_.flows;
  capacity_[1] = capacities_.timestamps;
  stats_.flows_capacity = Capacity(MapKind::kFlows);
  stats_.timestamps_capacity = Capacity(MapKind::kTimestamps);
}

bool MapCleaner::Fit(MapKind kind, size_t entries, uint64_t now_ns, CleanupStats& delta) {
  const bool flows = kind == MapKind::kFlows;
  const uint64_t smallest = flows ? capacities_.flows : capacities_.timestamps;
  const uint64_t largest = flows ? capacities_.flows_max : capacities_.timestamps_max;
  const uint64_t capacity = Capacity(kind);
  uint64_t& nearly_empty_since = nearly_empty_since_ns_[!flows];
  uint64_t target = capacity;
  if (entries >= kGrowAt * static_cast<double>(capacity)) {
    while (target < largest && entries >= kGrowTo * static_cast<double>(target)) target = std::min(largest, 2 * target);
    nearly_empty_since = 0;
  } else if (entries <= kShrinkAt * static_cast<double>(capacity) && capacity > smallest) {
    if (nearly_empty_since == 0) {
      nearly_empty_since = now_ns;
    } else if (now_ns >= nearly_empty_since + kShrinkAfterNs) {
      target = std::max(smallest, capacity / 2);
      nearly_empty_since = 0;  // another half only after as long again
    }
  } else {
    nearly_empty_since = 0;
  }
  if (target == capacity) return false;
  // After a failure (the kernel refused the new map), eviction does the
  // work for a while instead of a failing attempt each pass.
  uint64_t& failed_at = resize_failed_ns_[!flows];
  if (failed_at != 0 && now_ns < failed_at + kRetryResizeAfterNs) return false;
  const bool grow = target > capacity;
  try {
    const MapMove move = maps_->Resize(kind, static_cast<uint32_t>(target));
    const double seconds = std::chrono::duration<double>(move.took).count();
    const int k = flows ? 0 : 1;
    capacity_[k] = target;
    ++delta.map_resizes[k][grow ? 0 : 1];
    delta.map_resize_seconds[k] += seconds;
    delta.map_move_dropped[k] += move.refused;
    spdlog::info("{} the {} map from {} to {} entries ({} held): {} entries moved, {} dropped, in {:.3f} s",
                 grow ? "grew" : "shrank", MapName(kind), capacity, target, entries, move.moved, move.refused, seconds);
    return true;
  } catch (const Error& e) {
    spdlog::error("could not {} the {} map to {} entries (trying again in a minute): {}", grow ? "grow" : "shrink",
                  MapName(kind), target, e.what());
    failed_at = now_ns;
    return false;
  }
}

uint64_t MapCleaner::MonotonicNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kNsPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}

void MapCleaner::SweepFlows(uint64_t now_ns, CleanupStats& delta) {
  const auto tcp_ns = static_cast<uint64_t>(options_.tcp_flow_timeout.count());
  const auto icmp_ns = static_cast<uint64_t>(options_.icmp_flow_timeout.count());
  std::vector<Candidate<pp_flow_key>> survivors;
  std::vector<std::pair<pp_flow_key, pp_flow_state>> idle;
  maps_->ForEachFlow([&](const pp_flow_key& key, const pp_flow_state& flow) {
    const uint64_t timeout = key.ip_proto == IPPROTO_TCP ? tcp_ns : icmp_ns;
    if (now_ns > flow.last_seen_ns && now_ns - flow.last_seen_ns > timeout) {
      idle.emplace_back(key, flow);
    } else {
      survivors.push_back({flow.last_seen_ns, key, Bidirectional(flow)});
    }
  });
  std::vector<pp_flow_key> idle_keys;
  for (const auto& entry : idle) idle_keys.push_back(entry.first);
  const std::vector<bool> deleted = maps_->DeleteFlows(idle_keys);
  for (size_t i = 0; i < idle.size(); ++i) {
    const auto& [key, flow] = idle[i];
    if (!deleted[i]) continue;  // touched or closed meanwhile
    ++delta.flows_timed_out[Bidirectional(flow)];
    if (closed_flow_sink_) closed_flow_sink_(key, CleanupClose::kTimeout);
  }
  Fit(MapKind::kFlows, survivors.size(), now_ns, delta);
  if (survivors.size() >= kHighWatermark * Capacity(MapKind::kFlows)) {
    const std::function<void(const pp_flow_key&)> on_evict = [this](const pp_flow_key& key) {
      if (closed_flow_sink_) closed_flow_sink_(key, CleanupClose::kEvicted);
    };
    const auto delete_flows = [this](const std::vector<pp_flow_key>& keys) { return maps_->DeleteFlows(keys); };
    EvictOldest(survivors, static_cast<size_t>(kLowWatermark * Capacity(MapKind::kFlows)), now_ns, ProtectNs(),
                delete_flows, delta.flows_evicted, on_evict);
  }
  delta.flows_tracked = survivors.size() - delta.flows_evicted[0] - delta.flows_evicted[1];
}

// The flow's RTT is looked up per timestamp, not read for every flow: flows
// hold their regular samples themselves, so the timestamp map is mostly far
// smaller than the flow map, and copying every flow would cost more than
// the whole pass.
uint64_t MapCleaner::FlowSrttNs(const pp_packet_key& key) const {
  if (key.stamped_on >= PP_DIRECTIONS || key.method == PP_METHOD_DNS) return 0;  // a DNS query's lifetime is fixed
  const std::optional<pp_flow_state> flow = maps_->LookupFlow(key.flow);
  return flow ? flow->rtt[key.stamped_on].srtt_ns : 0;
}

void MapCleaner::SweepTimestamps(uint64_t now_ns, CleanupStats& delta) {
  std::vector<Candidate<pp_packet_key>> survivors;
  std::vector<pp_packet_key> expired;
  maps_->ForEachTimestamp([&](const pp_packet_key& key, uint64_t stamped_ns) {
    if (pp_packet_ts_outlived(&key, stamped_ns, now_ns, FlowSrttNs(key))) {
      expired.push_back(key);
    } else {
      survivors.push_back({stamped_ns, key});
    }
  });
  const std::vector<bool> gone = maps_->DeleteTimestamps(expired);
  for (size_t i = 0; i < gone.size() && i < expired.size(); ++i) {
    delta.timestamps_expired += gone[i];
    delta.dns_expired += gone[i] && expired[i].method == PP_METHOD_DNS;
  }
  uint64_t evicted[2] = {0, 0};
  Fit(MapKind::kTimestamps, survivors.size(), now_ns, delta);
  if (survivors.size() >= kHighWatermark * Capacity(MapKind::kTimestamps)) {
    const auto delete_stamps = [this](const std::vector<pp_packet_key>& keys) { return maps_->DeleteTimestamps(keys); };
    EvictOldest(survivors, static_cast<size_t>(kLowWatermark * Capacity(MapKind::kTimestamps)), now_ns, ProtectNs(),
                delete_stamps, evicted, std::function<void(const pp_packet_key&)>());
  }
  delta.timestamps_evicted = evicted[0] + evicted[1];
  delta.timestamps_tracked = survivors.size() - delta.timestamps_evicted;
}

void MapCleaner::Tick(uint64_t now_ns, uint64_t map_full_total) {
  const auto interval_ns = static_cast<uint64_t>(options_.interval.count());
  const bool pressure = map_full_total > last_map_full_;
  refused_since_warning_ += map_full_total - std::min(map_full_total, last_map_full_);
  last_map_full_ = map_full_total;
  // A pass over huge maps takes time: keep the cleanup's own CPU use to a
  // few percent by spacing passes some multiple of their duration apart.
  const auto last_pass_ns = static_cast<uint64_t>(stats().last_sweep_seconds * 1e9);
  const uint64_t due = last_sweep_ns_ + std::max(interval_ns, kPassSpacing * last_pass_ns);
  const uint64_t due_under_pressure = last_sweep_ns_ + kPassSpacingUnderPressure * last_pass_ns;
  if (now_ns >= due || (pressure && now_ns >= due_under_pressure)) {
    last_sweep_ns_ = now_ns;
    Sweep(now_ns);
  }
  if (refused_since_warning_ > 0 && now_ns >= last_warning_ns_ + kWarningEveryNs) {
    const CleanupStats s = stats();
    spdlog::warn(
        "flow/timestamp maps full: {} insertions refused since the last warning; evicted so far {} flows, "
        "{} timestamps (see pping_map_full_total; consider --datapath.flow-map-size/--datapath.timestamp-map-size)",
        refused_since_warning_, s.flows_evicted[0] + s.flows_evicted[1], s.timestamps_evicted);
    refused_since_warning_ = 0;
    last_warning_ns_ = now_ns;
  }
}

// The iterators expire entries; a map still nearly full afterwards gets
// the user-space pass, which evicts.
void MapCleaner::ExpireInKernel(uint64_t now_ns, CleanupStats& delta) {
  const pp_cleanup_result r = kernel_expiry_(now_ns);
  delta.flows_timed_out[0] = r.flows_timed_out[0];
  delta.flows_timed_out[1] = r.flows_timed_out[1];
  delta.timestamps_expired = r.timestamps_expired;
  delta.dns_expired = r.dns_expired;
  delta.flows_tracked = r.flows_kept;
  delta.timestamps_tracked = r.timestamps_kept;
  // Fitted here too: the user-space pass below only runs for eviction.
  Fit(MapKind::kFlows, r.flows_kept, now_ns, delta);
  Fit(MapKind::kTimestamps, r.timestamps_kept, now_ns, delta);
  if (r.flows_kept >= kHighWatermark * Capacity(MapKind::kFlows)) SweepFlows(now_ns, delta);
  if (r.timestamps_kept >= kHighWatermark * Capacity(MapKind::kTimestamps)) SweepTimestamps(now_ns, delta);
}

void MapCleaner::Sweep(uint64_t now_ns) {
  const auto started = std::chrono::steady_clock::now();
  CleanupStats delta;
  if (kernel_expiry_) {
    ExpireInKernel(now_ns, delta);
  } else {
    SweepFlows(now_ns, delta);
    SweepTimestamps(now_ns, delta);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::lock_guard lock(mu_);
  stats_.flows_timed_out[0] += delta.flows_timed_out[0];
  stats_.flows_timed_out[1] += delta.flows_timed_out[1];
  stats_.flows_evicted[0] += delta.flows_evicted[0];
  stats_.flows_evicted[1] += delta.flows_evicted[1];
  stats_.timestamps_expired += delta.timestamps_expired;
  stats_.dns_expired += delta.dns_expired;
  stats_.timestamps_evicted += delta.timestamps_evicted;
  stats_.flows_tracked = delta.flows_tracked;
  stats_.timestamps_tracked = delta.timestamps_tracked;
  for (int k = 0; k < 2; ++k) {
    stats_.map_resizes[k][0] += delta.map_resizes[k][0];
    stats_.map_resizes[k][1] += delta.map_resizes[k][1];
    stats_.map_resize_seconds[k] += delta.map_resize_seconds[k];
    stats_.map_move_dropped[k] += delta.map_move_dropped[k];
  }
  stats_.flows_capacity = Capacity(MapKind::kFlows);
  stats_.timestamps_capacity = Capacity(MapKind::kTimestamps);
  ++stats_.sweeps;
  stats_.kernel_iterators = static_cast<bool>(kernel_expiry_);
  stats_.last_sweep_seconds = took.count();
}

CleanupStats MapCleaner::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace pping
