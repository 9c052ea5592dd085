// SPDX-License-Identifier: Apache-2.0
#include "exporter/kernel/global_counters_reader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "exporter/kernel/abi_convert.h"
#include "exporter/util/error.h"

namespace pping {

GlobalCountersReader MakeGlobalCountersReader(GlobalCountersMap map) {
  const int cpus = CheckLibbpf(libbpf_num_possible_cpus(), "count possible CPUs");
  static_assert(sizeof(pp_global_counters) % 8 == 0, "per-CPU values are 8-byte strided");
  auto shared = std::make_shared<GlobalCountersMap>(std::move(map));
  return [shared, cpus] {
    std::vector<pp_global_counters> values(cpus);
    const uint32_t key = 0;
    if (bpf_map_lookup_elem(shared->fd(), &key, values.data()) != 0) {
      throw Error(ErrnoMessage("read global counters", errno));
    }
    GlobalCounters sum;
    for (const auto& cpu : values) AddCpuCounters(sum, cpu);
    return sum;
  };
}

}  // namespace pping
