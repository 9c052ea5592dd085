// SPDX-License-Identifier: Apache-2.0
// In-memory CleanupMaps for the cleanup's unit tests: entries keyed by
// their bytes, and a way to make an entry vanish between a read and a
// delete, as the datapath does when it closes a flow meanwhile.
#pragma once

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "exporter/cleanup/cleanup_maps.h"

namespace pping::testing {

class FakeCleanupMaps : public CleanupMaps {
 public:
  void PutFlow(const pp_flow_key& key, const pp_flow_state& flow) { flows_[Bytes(key)] = {key, flow}; }
  void PutTimestamp(const pp_packet_key& key, uint64_t stamped_ns) { stamps_[Bytes(key)] = {key, stamped_ns}; }
  // The next delete of `key` finds it gone.
  void VanishBeforeDelete(const pp_flow_key& key) { vanishing_.insert(Bytes(key)); }
  bool HasFlow(const pp_flow_key& key) const { return flows_.count(Bytes(key)) > 0; }
  size_t flows() const { return flows_.size(); }
  size_t timestamps() const { return stamps_.size(); }

  void ForEachFlow(const FlowVisitor& visit) override {
    for (const auto& [bytes, entry] : flows_) visit(entry.first, entry.second);
  }
  void ForEachTimestamp(const TimestampVisitor& visit) override {
    for (const auto& [bytes, entry] : stamps_) visit(entry.first, entry.second);
  }
  std::optional<pp_flow_state> LookupFlow(const pp_flow_key& key) override {
    const auto it = flows_.find(Bytes(key));
    if (it == flows_.end()) return std::nullopt;
    return it->second.second;
  }
  std::vector<bool> DeleteFlows(const std::vector<pp_flow_key>& keys) override { return Delete(flows_, keys); }
  std::vector<bool> DeleteTimestamps(const std::vector<pp_packet_key>& keys) override { return Delete(stamps_, keys); }
  // Every entry moves (the fake refuses none); the moves are recorded.
  MapMove Resize(MapKind kind, uint32_t capacity) override {
    resizes.emplace_back(kind, capacity);
    return {0, capacity, kind == MapKind::kFlows ? flows_.size() : stamps_.size(), 0};
  }
  std::vector<std::pair<MapKind, uint32_t>> resizes;

 private:
  template <typename Key>
  static std::string Bytes(const Key& key) {
    return std::string(reinterpret_cast<const char*>(&key), sizeof(key));
  }
  template <typename Map, typename Key>
  std::vector<bool> Delete(Map& map, const std::vector<Key>& keys) {
    std::vector<bool> deleted;
    for (const Key& key : keys) {
      const std::string bytes = Bytes(key);
      if (vanishing_.erase(bytes) > 0) map.erase(bytes);
      deleted.push_back(map.erase(bytes) > 0);
    }
    return deleted;
  }

  std::map<std::string, std::pair<pp_flow_key, pp_flow_state>> flows_;
  std::map<std::string, std::pair<pp_packet_key, uint64_t>> stamps_;
  std::set<std::string> vanishing_;
};

}  // namespace pping::testing
