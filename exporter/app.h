// SPDX-License-Identifier: Apache-2.0
// The composition root: wires the stages of the data path together for one
// run of the exporter.
#pragma once

#include "exporter/config/config.h"

namespace pping {

// Runs until SIGINT/SIGTERM; returns the process exit code. Throws
// UsageError for bad input found while starting (nothing is attached
// then), Error for any other failure.
int RunExporter(const Config& config);

}  // namespace pping
