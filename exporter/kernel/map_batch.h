// SPDX-License-Identifier: Apache-2.0
// Reads a whole BPF hash map, and deletes sets of keys, a few thousand
// entries per syscall (BPF_MAP_*_BATCH) instead of two or three syscalls
// per entry, which would make the cleanup of a huge map slow.
// Falls back to one entry at a time where the kernel has no batch ops.
#pragma once

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "exporter/kernel/map_keys.h"

namespace pping {

inline constexpr __u32 kMapBatch = 4096;

// How a walk over a hash map in batches ended.
enum class BatchWalk {
  kWholeMap,     // every entry was handed over
  kUnsupported,  // the kernel has no batch operation for this map: nothing was read
  kStopped,      // another error part way: the caller's next pass sees the rest
};

// Walks a hash map up to `batch` entries per syscall. `call(in, out, count)`
// runs one BPF_MAP_LOOKUP_BATCH or BPF_MAP_LOOKUP_AND_DELETE_BATCH into the
// caller's buffers (`in` is null for the first) and returns its result;
// `take(count)` then consumes the `count` entries it filled.
template <typename Call, typename Take>
BatchWalk WalkInBatches(__u32 batch, const Call& call, const Take& take) {
  __u64 in_batch = 0, out_batch = 0;  // hash maps use a 4-byte bucket cursor
  for (bool first = true;; first = false) {
    __u32 count = batch;
    const int err = call(first ? nullptr : &in_batch, &out_batch, &count);
    // An unsupported operation leaves `count` as it was: nothing to take.
    if (err != 0 && first && (err == -EINVAL || err == -EOPNOTSUPP || errno == EINVAL || errno == EOPNOTSUPP)) {
      return BatchWalk::kUnsupported;
    }
    take(count);
    if (err == 0) {
      in_batch = out_batch;
      continue;
    }
    if (err == -ENOENT || errno == ENOENT) return BatchWalk::kWholeMap;
    return BatchWalk::kStopped;
  }
}

// Hands every entry of a hash map to `visit(key, value)` as it is read,
// without holding the whole map in memory (which a map of millions of
// flows would make large).
template <typename Key, typename Value, typename Visit>
void ForEachEntry(int map_fd, const Visit& visit) {
  std::vector<Key> keys(kMapBatch);
  std::vector<Value> values(kMapBatch);
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  const auto lookup = [&](__u64* in, __u64* next, __u32* count) {
    return bpf_map_lookup_batch(map_fd, in, next, keys.data(), values.data(), count, &opts);
  };
  const auto take = [&](__u32 count) {
    for (__u32 i = 0; i < count; ++i) visit(keys[i], values[i]);
  };
  if (WalkInBatches(kMapBatch, lookup, take) != BatchWalk::kUnsupported) return;
  // No batch support (nothing was handed over): one entry at a time.
  for (const Key& key : AllKeys<Key>(map_fd)) {
    Value value{};
    if (bpf_map_lookup_elem(map_fd, &key, &value) == 0) visit(key, value);
  }
}

// Deletes `keys`; returns, per key, whether this call deleted it (a key
// already gone, e.g. matched by the datapath meanwhile, reports false).
template <typename Key>
std::vector<bool> DeleteKeys(int map_fd, const std::vector<Key>& keys) {
  std::vector<bool> deleted(keys.size(), false);
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  size_t offset = 0;
  while (offset < keys.size()) {
    __u32 count = static_cast<__u32>(std::min<size_t>(kMapBatch, keys.size() - offset));
    const int err = bpf_map_delete_batch(map_fd, keys.data() + offset, &count, &opts);
    for (__u32 i = 0; i < count; ++i) deleted[offset + i] = true;
    offset += count;
    if (err == 0) continue;
    if (err == -ENOENT || errno == ENOENT) {
      ++offset;  // that key was gone already: skip it, go on
      continue;
    }
    // No batch delete: the rest one at a time.
    for (; offset < keys.size(); ++offset) deleted[offset] = bpf_map_delete_elem(map_fd, &keys[offset]) == 0;
  }
  return deleted;
}

}  // namespace pping
