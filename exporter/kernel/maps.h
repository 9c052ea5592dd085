// SPDX-License-Identifier: Apache-2.0
// The datapath's maps by their key and value types: what the loader hands
// out and the readers (drain, cleanup, console) take.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bpf/abi/pping_abi.h"
#include "exporter/kernel/map_ref.h"

namespace pping {

using AggregationMap = MapRef<pp_agg_key, pp_agg_stats>;  // per-CPU values
using FlowMap = MapRef<pp_flow_key, pp_flow_state>;
using TimestampMap = MapRef<pp_packet_key, uint64_t>;
using GlobalCountersMap = MapRef<uint32_t, pp_global_counters>;  // per-CPU values
using EventsMap = MapRef<std::byte, std::byte>;                  // a ring buffer

// The double-buffered aggregation maps: `active` (an ARRAY_OF_MAPS of one
// slot) holds the instance the datapath writes.
struct AggregationMaps {
  MapRef<uint32_t, uint32_t> active;
  AggregationMap instances[2];
};

}  // namespace pping
