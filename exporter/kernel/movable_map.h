// SPDX-License-Identifier: Apache-2.0
// A datapath map the programs reach through a slot of an ARRAY_OF_MAPS
// (flow_maps and stamp_maps, bpf/flow_maps.h), so that it can be replaced
// by a larger or smaller map of the same kind while they run, its entries
// moved over: the flow and timestamp maps grow with the load, up to a
// limit, and shrink back when it falls.
#pragma once

#include <bpf/bpf.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bpf/abi/pping_abi.h"
#include "exporter/kernel/map_batch.h"
#include "exporter/kernel/map_ref.h"
#include "exporter/util/error.h"
#include "exporter/util/unique_fd.h"

namespace pping {

// One replacement of a map.
struct MapMove {
  uint32_t from = 0, to = 0;  // capacities
  uint64_t moved = 0;         // entries now in the new map
  uint64_t refused = 0;       // entries the new map had no room for (dropped)
  std::chrono::nanoseconds took{0};
};

// How entries cross from the old map to the new one.
enum class MoveMode {
  // Copied; the old map keeps them until it is dropped. For state the
  // datapath copies over itself when it meets it first (flows).
  kCopy,
  // Taken out of the old map (atomically per entry) and put into the new
  // one. For entries the datapath deletes where it finds them (stamps): an
  // entry it matched meanwhile is gone, and cannot come back to be matched
  // twice.
  kTake,
};

template <typename Key, typename Value>
class MovableMap {
 public:
  using Ref = MapRef<Key, Value>;

  // `slots` is the ARRAY_OF_MAPS whose PP_MAP_CURRENT slot holds `initial`,
  // of `capacity` entries.
  MovableMap(MapRef<uint32_t, uint32_t> slots, Ref initial, uint32_t capacity, MoveMode mode)
      : slots_(std::move(slots)), current_(std::move(initial)), capacity_(capacity), mode_(mode) {}

  // The map in use now, by a descriptor of its own.
  Ref current() const {
    std::lock_guard lock(mu_);
    return current_.Clone();
  }
  // `use(map)` on the map in use, without a descriptor of its own: for
  // calls made often, such as a lookup per timestamp in a sweep.
  template <typename Use>
  auto With(const Use& use) const {
    std::lock_guard lock(mu_);
    return use(current_);
  }
  uint32_t capacity() const {
    std::lock_guard lock(mu_);
    return capacity_;
  }
  // Counts the moves: what was attached to the map in use knows it is stale.
  uint64_t generation() const {
    std::lock_guard lock(mu_);
    return generation_;
  }
  // The ARRAY_OF_MAPS that holds it.
  int slots_fd() const { return slots_.fd(); }

  // Puts a new map of `capacity` entries in use and moves every entry of
  // the old one over. Throws Error; if it throws before the new map is in
  // use, nothing changed. One move at a time (the cleanup's thread).
  MapMove MoveTo(uint32_t capacity) {
    const auto start = std::chrono::steady_clock::now();
    const Ref old = current();
    bpf_map_info info{};
    __u32 length = sizeof(info);
    if (bpf_obj_get_info_by_fd(old.fd(), &info, &length) != 0) throw Error(ErrnoMessage("read a map's info", errno));
    bpf_map_create_opts opts{};
    opts.sz = sizeof(opts);
    opts.map_flags = info.map_flags;
    const UniqueFd created(bpf_map_create(static_cast<bpf_map_type>(info.type), info.name, info.key_size,
                                          info.value_size, capacity, &opts));
    if (!created) throw Error(ErrnoMessage("create a map of " + std::to_string(capacity) + " entries", errno));
    const Ref fresh = Ref::Share(created.get());
    // The old map goes into the previous slot before the new one takes
    // the current slot: a program that misses in the new map finds the
    // entry in the old one. Each update returns once no program still
    // holds what the slot held before.
    if (!slots_.Update(PP_MAP_PREVIOUS, static_cast<uint32_t>(old.fd()))) {
      throw Error(ErrnoMessage("hold the old map in its slot", errno));
    }
    if (!slots_.Update(PP_MAP_CURRENT, static_cast<uint32_t>(fresh.fd()))) {
      const int err = errno;
      slots_.Delete(PP_MAP_PREVIOUS);
      throw Error(ErrnoMessage("put the new map in use", err));
    }
    MapMove move{0, capacity};
    {
      std::lock_guard lock(mu_);
      move.from = capacity_;
      current_ = fresh.Clone();
      capacity_ = capacity;
      ++generation_;
    }
    // EEXIST: the datapath met the entry first and moved it itself.
    // Returns whether this call put it into the new map.
    const auto put = [&](const Key& key, const Value& value, bool again) {
      if (fresh.Update(key, value, BPF_NOEXIST)) {
        ++move.moved;
        return true;
      }
      if (errno != EEXIST) {
        ++move.refused;
      } else if (!again) {
        ++move.moved;
      }
      return false;
    };
    MoveEntries(old.fd(), fresh, put, move);
    // No program looks in the old map once this returns.
    if (!slots_.Delete(PP_MAP_PREVIOUS)) throw Error(ErrnoMessage("let go of the old map", errno));
    // Copied entries stay behind, and the map itself may live on (the
    // loader's objects hold the map they started with): emptied, it
    // pins no more than its bucket array.
    if (mode_ == MoveMode::kCopy) DeleteKeys(old.fd(), AllKeys<Key>(old.fd()));
    move.took = std::chrono::steady_clock::now() - start;
    return move;
  }

 private:
  // Hands every entry of the old map to `put(key, value, again)`, copied
  // or taken out as the mode says, a batch per syscall. Should a batch walk
  // stop part way, the entries are then handed over one at a time
  // (`again`: those already handed over come once more). A copied entry
  // the datapath deleted from the old map meanwhile (a flow closed during
  // the move) is taken back out of the new one: its copy was read before
  // the close, and must not bring the flow back.
  template <typename Put>
  void MoveEntries(int map_fd, const Ref& fresh, const Put& put, MapMove& move) const {
    std::vector<Key> keys(kMapBatch);
    std::vector<Value> values(kMapBatch);
    std::vector<Key> put_here;
    bpf_map_batch_opts opts{};
    opts.sz = sizeof(opts);
    const bool take = mode_ == MoveMode::kTake;
    const auto undo_closed = [&] {
      Value still{};
      for (const Key& key : put_here) {
        if (bpf_map_lookup_elem(map_fd, &key, &still) != 0 && fresh.Delete(key)) --move.moved;
      }
      put_here.clear();
    };
    const auto batch = [&](__u64* in, __u64* next, __u32* count) {
      return take ? bpf_map_lookup_and_delete_batch(map_fd, in, next, keys.data(), values.data(), count, &opts)
                  : bpf_map_lookup_batch(map_fd, in, next, keys.data(), values.data(), count, &opts);
    };
    const auto hand_over = [&](__u32 count) {
      for (__u32 i = 0; i < count; ++i) {
        if (put(keys[i], values[i], false) && !take) put_here.push_back(keys[i]);
      }
      undo_closed();
    };
    const BatchWalk walk = WalkInBatches(kMapBatch, batch, hand_over);
    if (walk == BatchWalk::kWholeMap) return;
    const bool again = walk == BatchWalk::kStopped;
    for (const Key& key : AllKeys<Key>(map_fd)) {
      Value value{};
      const int err =
          take ? bpf_map_lookup_and_delete_elem(map_fd, &key, &value) : bpf_map_lookup_elem(map_fd, &key, &value);
      if (err == 0 && put(key, value, again) && !take) put_here.push_back(key);
    }
    undo_closed();
  }

  MapRef<uint32_t, uint32_t> slots_;
  mutable std::mutex mu_;  // guards current_ and capacity_ for readers
  Ref current_;
  uint32_t capacity_;
  uint64_t generation_ = 0;
  MoveMode mode_;
};

using FlowMaps = MovableMap<pp_flow_key, pp_flow_state>;
using TimestampMaps = MovableMap<pp_packet_key, uint64_t>;

}  // namespace pping
