// SPDX-License-Identifier: Apache-2.0
// From the kernel's structs (bpf/abi/pping_abi.h) to the plain ones the
// rest of the exporter uses: the only place that knows both.
#pragma once

#include "bpf/abi/pping_abi.h"
#include "exporter/stats/global_counters.h"
#include "exporter/stats/prefix.h"
#include "exporter/stats/prefix_stats.h"

namespace pping {

Address16 ToAddress16(const pp_addr& addr);
PrefixKey ToPrefixKey(const pp_agg_key& key);
// Adds one CPU's counters into `sum`.
void AddCpuCounters(GlobalCounters& sum, const pp_global_counters& cpu);

}  // namespace pping
