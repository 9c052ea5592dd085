// SPDX-License-Identifier: Apache-2.0
#include "exporter/kernel/aggregation_drain.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <vector>

#include "exporter/kernel/abi_convert.h"
#include "exporter/kernel/map_batch.h"
#include "exporter/kernel/map_keys.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

// A drain batch holds every CPU's value per key: the same bytes per batch
// whatever the number of CPUs.
constexpr size_t kBatchValueBytes = 4u << 20;

}  // namespace

void AddPerCpu(PrefixStats& sum, const uint8_t* per_cpu_values, int cpus) {
  for (int cpu = 0; cpu < cpus; ++cpu) sum.Merge(AggValueOnCpu(per_cpu_values, cpu));
}

AggregationDrain::AggregationDrain(AggregationMaps maps)
    : maps_(std::move(maps)),
      possible_cpus_(CheckLibbpf(libbpf_num_possible_cpus(), "count possible CPUs")),
      per_key_bytes_(kAggValueStride * static_cast<size_t>(possible_cpus_)) {
  bpf_map_info info{};
  __u32 size = sizeof(info);
  if (bpf_obj_get_info_by_fd(maps_.instances[0].fd(), &info, &size) != 0) {
    throw Error(ErrnoMessage("read the aggregation map's size", errno));
  }
  // Half the room at most goes to entries kept for the next interval, so a
  // churn of new prefixes still finds room.
  keep_at_most_ = info.max_entries / 2;
}

void AggregationDrain::Flip() {
  const int next = 1 - active_;
  const uint32_t slot = 0;
  const auto instance_fd = static_cast<uint32_t>(maps_.instances[next].fd());
  // The kernel waits for running programs (synchronize_rcu) before this
  // map-in-map update returns: afterwards nobody writes the old instance.
  if (!maps_.active.Update(slot, instance_fd)) {
    throw Error(ErrnoMessage("switch aggregation instance", errno));
  }
  active_ = next;
  idle_drained_ = false;
}

void AggregationDrain::DrainIdle(const Sink& sink) {
  if (idle_drained_) return;
  const int idle_fd = maps_.instances[1 - active_].fd();
  if (!DrainBatched(idle_fd, sink)) DrainOneByOne(idle_fd, sink);
}

// Entries of prefixes still active are reset to zero rather than deleted,
// so the datapath finds a prefix's entry on its first packet of the next
// interval instead of allocating one value per possible CPU, the costliest
// step of its per-packet path (docs/design.md, "Aggregation"). An entry
// reset and then left quiet for a whole interval is deleted at the next
// drain, so idle prefixes still free their memory.
bool AggregationDrain::DrainBatched(int map_fd, const Sink& sink) {
  const auto batch = static_cast<__u32>(std::clamp<size_t>(kBatchValueBytes / per_key_bytes_, 16, 4096));
  batch_keys_.resize(batch);
  batch_values_.resize(batch * per_key_bytes_);
  // calloc: a large block comes as fresh pages that read as zero without
  // being written, so the zeros cost no resident memory.
  if (!zeros_) zeros_.reset(static_cast<uint8_t*>(std::calloc(batch, per_key_bytes_)));
  if (!zeros_) throw std::bad_alloc();
  kept_ = 0;
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  // Nobody writes the idle instance (see Flip): what is read stays as read
  // until it is reset or deleted.
  const auto lookup = [&](__u64* in, __u64* next, __u32* count) {
    return bpf_map_lookup_batch(map_fd, in, next, batch_keys_.data(), batch_values_.data(), count, &opts);
  };
  const auto take = [&](__u32 count) { ResetBatch(map_fd, count, sink); };
  // Stopped part way: the rest stays in the idle instance, which the next
  // Sync drains before flipping.
  const BatchWalk walk = WalkInBatches(batch, lookup, take);
  if (walk == BatchWalk::kUnsupported) return false;
  idle_drained_ = walk == BatchWalk::kWholeMap;
  return true;
}

void AggregationDrain::ResetBatch(int map_fd, __u32 count, const Sink& sink) {
  reset_keys_.clear();
  reset_at_.clear();
  quiet_keys_.clear();
  quiet_at_.clear();
  for (__u32 i = 0; i < count; ++i) {
    const bool keep = kept_ < keep_at_most_ && AnyActivity(ValuesAt(i));
    (keep ? reset_keys_ : quiet_keys_).push_back(batch_keys_[i]);
    (keep ? reset_at_ : quiet_at_).push_back(i);
    kept_ += keep;
  }
  const __u32 reset = ResetEntries(map_fd);
  if (reset < reset_keys_.size()) {
    // What could not be reset (say, no batch update here) is deleted.
    quiet_keys_.insert(quiet_keys_.end(), reset_keys_.begin() + reset, reset_keys_.end());
    quiet_at_.insert(quiet_at_.end(), reset_at_.begin() + reset, reset_at_.end());
  }
  for (__u32 j = 0; j < reset; ++j) sink(Combine(batch_keys_[reset_at_[j]], ValuesAt(reset_at_[j])));
  const std::vector<bool> deleted = DeleteKeys(map_fd, quiet_keys_);
  for (size_t j = 0; j < quiet_keys_.size(); ++j) {
    if (!deleted[j] || !AnyActivity(ValuesAt(quiet_at_[j]))) continue;
    sink(Combine(quiet_keys_[j], ValuesAt(quiet_at_[j])));
  }
}

__u32 AggregationDrain::ResetEntries(int map_fd) {
  const auto wanted = static_cast<__u32>(reset_keys_.size());
  if (wanted == 0) return 0;
  // Plain updates (batch updates take no BPF_EXIST): each key was just
  // read from the idle instance, which nobody else changes, so every
  // update finds its entry and makes none.
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  __u32 count = wanted;
  if (bpf_map_update_batch(map_fd, reset_keys_.data(), zeros_.get(), &count, &opts) == 0) return wanted;
  // The kernel reports how far it got only once it has started: a count
  // left as asked means it refused the whole call.
  return count < wanted ? count : 0;
}

void AggregationDrain::DrainOneByOne(int map_fd, const Sink& sink) {
  std::vector<uint8_t> values(per_key_bytes_);
  for (const pp_agg_key& key : AllKeys<pp_agg_key>(map_fd)) {
    if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) continue;
    if (bpf_map_delete_elem(map_fd, &key) == 0) sink(Combine(key, values.data()));
  }
  idle_drained_ = true;
}

const uint8_t* AggregationDrain::ValuesAt(__u32 i) const { return batch_values_.data() + i * per_key_bytes_; }

bool AggregationDrain::AnyActivity(const uint8_t* per_cpu_values) const {
  for (int cpu = 0; cpu < possible_cpus_; ++cpu) {
    const pp_agg_stats& v = AggValueOnCpu(per_cpu_values, cpu);
    if (v.rx_packets + v.tx_packets + v.rtt_count > 0) return true;
  }
  return false;
}

const PrefixRecord& AggregationDrain::Combine(const pp_agg_key& key, const uint8_t* per_cpu_values) {
  record_ = {ToPrefixKey(key), {}};
  AddPerCpu(record_.stats, per_cpu_values, possible_cpus_);
  return record_;
}

}  // namespace pping
