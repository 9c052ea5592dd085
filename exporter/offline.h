// SPDX-License-Identifier: Apache-2.0
// The offline composition root (`pping_exporter replay FILE`): a capture's
// packets through the datapath's own programs, on the capture's clock.
#pragma once

#include "exporter/config/config.h"

namespace pping {

// Replays config.replay->file; returns the exit code. Throws UsageError for
// bad input (an unreadable capture, an unusable output path or address).
int RunReplay(const Config& config);

}  // namespace pping
