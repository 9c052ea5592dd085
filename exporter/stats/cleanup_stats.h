// SPDX-License-Identifier: Apache-2.0
// What the map cleanup did, as a plain struct for the collector.
#pragma once

#include <cstdint>

namespace pping {

struct CleanupStats {
  uint64_t flows_timed_out[2] = {0, 0};  // [seen both ways]
  uint64_t flows_evicted[2] = {0, 0};    // oldest, removed because the map was nearly full
  uint64_t timestamps_expired = 0;       // DNS queries included
  uint64_t dns_expired = 0;              // DNS queries never answered
  uint64_t timestamps_evicted = 0;
  uint64_t flows_tracked = 0;  // after the last sweep
  uint64_t timestamps_tracked = 0;
  uint64_t sweeps = 0;
  bool kernel_iterators = false;  // expiry runs as BPF iterators
  double last_sweep_seconds = 0;
  // The flow and timestamp maps in use ([0] flows, [1] timestamps where
  // by map): their capacity now, how often they grew and shrank, the time
  // spent moving entries, and entries a move dropped.
  uint64_t flows_capacity = 0;
  uint64_t timestamps_capacity = 0;
  uint64_t map_resizes[2][2] = {{0, 0}, {0, 0}};  // [map][grew, shrank]
  double map_resize_seconds[2] = {0, 0};
  uint64_t map_move_dropped[2] = {0, 0};
};

}  // namespace pping
