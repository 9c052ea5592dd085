// SPDX-License-Identifier: Apache-2.0
#include "exporter/bpf_aggregation_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <vector>

#include "exporter/error.h"
#include "exporter/map_keys.h"

namespace pping {
namespace {

// Per-CPU values are laid out CPU after CPU, each rounded up to 8 bytes.
constexpr size_t kPerCpuStride = (sizeof(pp_agg_stats) + 7) & ~size_t{7};

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

std::vector<PrefixRecord> BpfAggregationSource::DrainIdle() {
  const int idle_fd = maps_.instances[1 - active_];
  std::vector<PrefixRecord> records;
  std::vector<uint8_t> values(kPerCpuStride * possible_cpus_);
  for (const pp_agg_key& key : AllKeys<pp_agg_key>(idle_fd)) {
    if (bpf_map_lookup_elem(idle_fd, &key, values.data()) != 0) continue;
    PrefixRecord record{FromKernel(key), {}};
    for (int cpu = 0; cpu < possible_cpus_; ++cpu) {
      const auto* per_cpu = reinterpret_cast<const pp_agg_stats*>(values.data() + cpu * kPerCpuStride);
      record.stats.Merge(FromKernel(*per_cpu));
    }
    records.push_back(record);
    bpf_map_delete_elem(idle_fd, &key);
  }
  return records;
}

}  // namespace pping
