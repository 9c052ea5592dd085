// SPDX-License-Identifier: Apache-2.0
// The exporter's own process as Prometheus client libraries describe
// theirs (the process_* metrics), read from /proc/self.
#pragma once

#include <cstdint>
#include <optional>

namespace pping {

struct ProcessStats {
  double cpu_seconds = 0;  // user and system time
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;           // the soft limit
  double start_time_seconds = 0;  // since the epoch
};

// Nothing if /proc cannot be read.
std::optional<ProcessStats> ReadProcessStats();

}  // namespace pping
