// SPDX-License-Identifier: Apache-2.0
// The two datapath maps the cleanup works on, behind an interface: the
// kernel's in production (BpfCleanupMaps), a fake in the unit tests of the
// cleanup's rules.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "bpf/abi/pping_abi.h"
#include "exporter/kernel/movable_map.h"

namespace pping {

enum class MapKind { kFlows, kTimestamps };

class CleanupMaps {
 public:
  virtual ~CleanupMaps() = default;

  using FlowVisitor = std::function<void(const pp_flow_key&, const pp_flow_state&)>;
  using TimestampVisitor = std::function<void(const pp_packet_key&, uint64_t stamped_ns)>;

  // Visit every entry once, as it is read.
  virtual void ForEachFlow(const FlowVisitor& visit) = 0;
  virtual void ForEachTimestamp(const TimestampVisitor& visit) = 0;
  virtual std::optional<pp_flow_state> LookupFlow(const pp_flow_key& key) = 0;
  // Per key, whether this call deleted it (false: it was gone already,
  // e.g. closed or matched by the datapath meanwhile).
  virtual std::vector<bool> DeleteFlows(const std::vector<pp_flow_key>& keys) = 0;
  virtual std::vector<bool> DeleteTimestamps(const std::vector<pp_packet_key>& keys) = 0;
  // Replaces the map by one of `capacity` entries, moving every entry
  // over; throws Error.
  virtual MapMove Resize(MapKind kind, uint32_t capacity) = 0;
};

}  // namespace pping
