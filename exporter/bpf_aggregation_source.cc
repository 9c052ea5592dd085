// SPDX-License-Identifier: Apache-2.0
#include "exporter/bpf_aggregation_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "exporter/error.h"
#include "exporter/map_batch.h"
#include "exporter/map_keys.h"

namespace pping {
namespace {

// Per-CPU values are laid out CPU after CPU, each rounded up to 8 bytes.
constexpr size_t kPerCpuStride = (sizeof(pp_agg_stats) + 7) & ~size_t{7};
// A drain batch holds every CPU's value per key: ~4 MiB whatever the CPUs.
constexpr size_t kBatchValueBytes = 4u << 20;

}  // namespace

BpfAggregationSource::BpfAggregationSource(const AggregationMapFds& maps)
    : maps_(maps), possible_cpus_(CheckLibbpf(libbpf_num_possible_cpus(), "count possible CPUs")) {}

void BpfAggregationSource::Flip() {
  const int next = 1 - active_;
  const uint32_t slot = 0;
  // The kernel waits for running programs (synchronize_rcu) before this
  // map-in-map update returns: afterwards nobody writes the old instance.
  if (bpf_map_update_elem(maps_.active_slot, &slot, &maps_.instances[next], BPF_ANY) != 0) {
    throw Error(ErrnoMessage("switch aggregation instance", errno));
  }
  active_ = next;
}

void BpfAggregationSource::DrainIdle(const Sink& sink) {
  const int idle_fd = maps_.instances[1 - active_];
  if (!DrainBatched(idle_fd, sink)) DrainOneByOne(idle_fd, sink);
}

bool BpfAggregationSource::DrainBatched(int map_fd, const Sink& sink) {
  const size_t per_key = kPerCpuStride * static_cast<size_t>(possible_cpus_);
  const auto batch = static_cast<__u32>(std::clamp<size_t>(kBatchValueBytes / per_key, 16, 4096));
  batch_keys_.resize(batch);
  batch_values_.resize(batch * per_key);
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  // Nobody writes the idle instance (see Flip), so reading and deleting in
  // one step loses nothing.
  const auto lookup_and_delete = [&](__u64* in, __u64* next, __u32* count) {
    return bpf_map_lookup_and_delete_batch(map_fd, in, next, batch_keys_.data(), batch_values_.data(), count, &opts);
  };
  const auto take = [&](__u32 count) {
    for (__u32 i = 0; i < count; ++i) sink(Combine(batch_keys_[i], batch_values_.data() + i * per_key));
  };
  // Stopped part way: what is left stays in the idle instance, and the next
  // Sync drains the idle instance before flipping.
  return WalkInBatches(batch, lookup_and_delete, take) != BatchWalk::kUnsupported;
}

void BpfAggregationSource::DrainOneByOne(int map_fd, const Sink& sink) {
  std::vector<uint8_t> values(kPerCpuStride * possible_cpus_);
  for (const pp_agg_key& key : AllKeys<pp_agg_key>(map_fd)) {
    if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) continue;
    sink(Combine(key, values.data()));
    bpf_map_delete_elem(map_fd, &key);
  }
}

const PrefixRecord& BpfAggregationSource::Combine(const pp_agg_key& key, const uint8_t* per_cpu_values) {
  record_ = {FromKernel(key), {}};
  for (int cpu = 0; cpu < possible_cpus_; ++cpu) {
    AddKernel(record_.stats, *reinterpret_cast<const pp_agg_stats*>(per_cpu_values + cpu * kPerCpuStride));
  }
  return record_;
}

}  // namespace pping
