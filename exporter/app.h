// SPDX-License-Identifier: Apache-2.0
// Wires the parts together for one run of the exporter.
#pragma once

#include "exporter/config.h"

namespace pping {

// Runs until SIGINT/SIGTERM; returns the process exit code. Throws
// UsageError for bad input found while starting.
int RunExporter(const Config& config);

}  // namespace pping
