// SPDX-License-Identifier: Apache-2.0
// A typed reference to one of the datapath's maps. It holds a descriptor
// of its own (the kernel keeps a map while any descriptor refers to it),
// so a reader stays valid however long it outlives the loader that lent
// it the map, and the key and value types travel with it.
#pragma once

#include <bpf/bpf.h>

#include <utility>

#include "exporter/util/unique_fd.h"

namespace pping {

template <typename Key, typename Value>
class MapRef {
 public:
  using KeyType = Key;
  using ValueType = Value;

  MapRef() = default;
  // Takes a new descriptor of the map behind `fd`; throws Error.
  static MapRef Share(int fd) { return MapRef(UniqueFd::Dup(fd)); }

  int fd() const { return fd_.get(); }
  MapRef Clone() const { return Share(fd()); }

  // One entry of a map with a value per key (not per-CPU maps).
  bool Lookup(const Key& key, Value& value) const { return bpf_map_lookup_elem(fd(), &key, &value) == 0; }
  bool Update(const Key& key, const Value& value, __u64 flags = BPF_ANY) const {
    return bpf_map_update_elem(fd(), &key, &value, flags) == 0;
  }
  bool Delete(const Key& key) const { return bpf_map_delete_elem(fd(), &key) == 0; }

 private:
  explicit MapRef(UniqueFd fd) : fd_(std::move(fd)) {}

  UniqueFd fd_;
};

}  // namespace pping
