// SPDX-License-Identifier: Apache-2.0
#include "exporter/cleanup/bpf_cleanup_maps.h"

#include "exporter/kernel/map_batch.h"

namespace pping {

void BpfCleanupMaps::ForEachFlow(const FlowVisitor& visit) {
  ForEachEntry<pp_flow_key, pp_flow_state>(flows_->current().fd(), visit);
}

void BpfCleanupMaps::ForEachTimestamp(const TimestampVisitor& visit) {
  ForEachEntry<pp_packet_key, uint64_t>(timestamps_->current().fd(), visit);
}

std::optional<pp_flow_state> BpfCleanupMaps::LookupFlow(const pp_flow_key& key) {
  pp_flow_state flow{};
  if (!flows_->With([&](const FlowMap& map) { return map.Lookup(key, flow); })) return std::nullopt;
  return flow;
}

std::vector<bool> BpfCleanupMaps::DeleteFlows(const std::vector<pp_flow_key>& keys) {
  return DeleteKeys(flows_->current().fd(), keys);
}

std::vector<bool> BpfCleanupMaps::DeleteTimestamps(const std::vector<pp_packet_key>& keys) {
  return DeleteKeys(timestamps_->current().fd(), keys);
}

MapMove BpfCleanupMaps::Resize(MapKind kind, uint32_t capacity) {
  return kind == MapKind::kFlows ? flows_->MoveTo(capacity) : timestamps_->MoveTo(capacity);
}

}  // namespace pping
