// SPDX-License-Identifier: Apache-2.0
// CleanupMaps over the datapath's flow and timestamp maps (whichever are
// in use), a batch of entries per syscall where the kernel has batch
// operations.
#pragma once

#include <memory>

#include "exporter/cleanup/cleanup_maps.h"
#include "exporter/kernel/maps.h"
#include "exporter/kernel/movable_map.h"

namespace pping {

class BpfCleanupMaps : public CleanupMaps {
 public:
  BpfCleanupMaps(std::shared_ptr<FlowMaps> flows, std::shared_ptr<TimestampMaps> timestamps)
      : flows_(std::move(flows)), timestamps_(std::move(timestamps)) {}

  void ForEachFlow(const FlowVisitor& visit) override;
  void ForEachTimestamp(const TimestampVisitor& visit) override;
  std::optional<pp_flow_state> LookupFlow(const pp_flow_key& key) override;
  std::vector<bool> DeleteFlows(const std::vector<pp_flow_key>& keys) override;
  std::vector<bool> DeleteTimestamps(const std::vector<pp_packet_key>& keys) override;
  MapMove Resize(MapKind kind, uint32_t capacity) override;

 private:
  std::shared_ptr<FlowMaps> flows_;
  std::shared_ptr<TimestampMaps> timestamps_;
};

}  // namespace pping
