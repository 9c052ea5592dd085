// SPDX-License-Identifier: Apache-2.0
// CleanupMaps over the datapath's flow and timestamp maps, a batch of
// entries per syscall where the kernel has batch operations.
#pragma once

#include "exporter/cleanup/cleanup_maps.h"
#include "exporter/kernel/maps.h"

namespace pping {

class BpfCleanupMaps : public CleanupMaps {
 public:
  BpfCleanupMaps(FlowMap flows, TimestampMap timestamps)
      : flows_(std::move(flows)), timestamps_(std::move(timestamps)) {}

  void ForEachFlow(const FlowVisitor& visit) override;
  void ForEachTimestamp(const TimestampVisitor& visit) override;
  std::optional<pp_flow_state> LookupFlow(const pp_flow_key& key) override;
  std::vector<bool> DeleteFlows(const std::vector<pp_flow_key>& keys) override;
  std::vector<bool> DeleteTimestamps(const std::vector<pp_packet_key>& keys) override;

 private:
  FlowMap flows_;
  TimestampMap timestamps_;
};

}  // namespace pping
