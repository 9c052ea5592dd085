// SPDX-License-Identifier: Apache-2.0
// Reads the datapath's per-CPU global counters, summed over CPUs.
#pragma once

#include "exporter/kernel/datapath.h"
#include "exporter/stats/global_counters.h"

namespace pping {

// A reader over the datapath's counter array (it keeps its own reference
// to the map); each call throws Error when the map cannot be read.
GlobalCountersReader MakeGlobalCountersReader(GlobalCountersMap map);

}  // namespace pping
