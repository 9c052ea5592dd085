// SPDX-License-Identifier: Apache-2.0
// Removes what the datapath leaves behind: flows idle longer than their
// protocol's timeout, and timestamps never echoed within their lifetime
// (pp_stamp_outlived: a multiple of the flow's smoothed RTT, at least a
// second). The datapath itself closes flows on FIN and RST.
//
// A map three quarters full is replaced by a larger one, up to its
// maximum; one long nearly empty by a smaller one, down to its size at
// start. When a map at its maximum is nearly full (or an insert failed),
// the oldest entries are evicted down to a low watermark, except entries
// younger than a protection age. Active long-lived flows are touched
// constantly, so a churn of short flows evicts its own stale entries, not
// them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "bpf/abi/pping_abi.h"
#include "exporter/cleanup/cleanup_maps.h"
#include "exporter/cleanup/cleanup_options.h"
#include "exporter/stats/cleanup_stats.h"

namespace pping {

// The kernel-side expiry (BPF iterators): removes timed-out flows and
// expired timestamps as of `now_ns` and reports what it did.
using KernelExpiry = std::function<pp_cleanup_result(uint64_t now_ns)>;

// Why the cleanup removed a flow.
enum class CleanupClose { kTimeout, kEvicted };

// Told of every flow the cleanup removes.
using ClosedFlowSink = std::function<void(const pp_flow_key& key, CleanupClose reason)>;

// The entries each map holds at the least (its size at start) and at the
// most: between the two it grows with the load and shrinks back.
struct MapCapacities {
  uint32_t flows = 0;
  uint32_t timestamps = 0;
  uint32_t flows_max = 0;  // below `flows`: `flows`, the map keeps its size
  uint32_t timestamps_max = 0;
};

class MapCleaner {
 public:
  // With `kernel_expiry`, expiry runs in the kernel and the pass over
  // `maps` only runs to evict when a map is nearly full.
  MapCleaner(std::unique_ptr<CleanupMaps> maps, MapCapacities capacities, const CleanupOptions& options,
             KernelExpiry kernel_expiry = nullptr);

  // One pass over both maps; `now_ns` is CLOCK_MONOTONIC, the clock of
  // bpf_ktime_get_ns().
  void Sweep(uint64_t now_ns);
  // Called often: sweeps when the interval has passed (stretched to a
  // multiple of the last pass's duration for huge maps), or sooner when
  // the datapath's map-full count grew since the last call (and then warns,
  // now and then, with what was refused and evicted).
  void Tick(uint64_t now_ns, uint64_t map_full_total);
  CleanupStats stats() const;
  void set_closed_flow_sink(ClosedFlowSink sink) { closed_flow_sink_ = std::move(sink); }

  static uint64_t MonotonicNowNs();

 private:
  void SweepFlows(uint64_t now_ns, CleanupStats& delta);
  void SweepTimestamps(uint64_t now_ns, CleanupStats& delta);
  // The smoothed RTT of a timestamp's flow in its direction (0: unknown).
  uint64_t FlowSrttNs(const pp_packet_key& key) const;
  void ExpireInKernel(uint64_t now_ns, CleanupStats& delta);
  // Grows or shrinks a map for the `entries` it holds now; true if it did.
  bool Fit(MapKind kind, size_t entries, uint64_t now_ns, CleanupStats& delta);
  uint64_t Capacity(MapKind kind) const { return capacity_[kind == MapKind::kTimestamps]; }
  uint64_t ProtectNs() const { return static_cast<uint64_t>(options_.protect_young.count()); }

  std::unique_ptr<CleanupMaps> maps_;
  MapCapacities capacities_;
  CleanupOptions options_;
  KernelExpiry kernel_expiry_;
  ClosedFlowSink closed_flow_sink_;
  uint64_t last_sweep_ns_ = 0;
  uint64_t last_map_full_ = 0;
  uint64_t last_warning_ns_ = 0;
  uint64_t refused_since_warning_ = 0;
  uint64_t capacity_[2];                        // of the maps in use, by MapKind
  uint64_t nearly_empty_since_ns_[2] = {0, 0};  // by MapKind; 0: not nearly empty
  uint64_t resize_failed_ns_[2] = {0, 0};       // by MapKind: the last failed resize
  mutable std::mutex mu_;
  CleanupStats stats_;
};

}  // namespace pping
