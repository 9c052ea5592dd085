// SPDX-License-Identifier: Apache-2.0
// Turns the exporter's configuration into the datapath's .rodata knobs.
#pragma once

#include "exporter/config.h"
#include "exporter/datapath.h"

namespace pping {

// Throws UsageError for values the datapath cannot represent.
DatapathOptions MakeDatapathOptions(const Config& config);

}  // namespace pping
