// SPDX-License-Identifier: Apache-2.0
// Removes what the datapath leaves behind: flows idle longer than their
// protocol's timeout, and timestamps never echoed within their lifetime
// (8 x the flow's smoothed RTT, at least one second, as ePPing does). The
// datapath itself closes flows on FIN and RST.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "exporter/cleanup_stats.h"
#include "exporter/config.h"

namespace pping {


class MapCleaner {
 public:
  MapCleaner(int flow_state_fd, int packet_ts_fd, const CleanupOptions& options);

  // One pass over both maps; `now_ns` is CLOCK_MONOTONIC, the clock of
  // bpf_ktime_get_ns().
  void Sweep(uint64_t now_ns);
  CleanupStats stats() const;

  static uint64_t MonotonicNowNs();

 private:
  void SweepFlows(uint64_t now_ns, CleanupStats& delta);
  void SweepTimestamps(uint64_t now_ns, CleanupStats& delta);

  int flow_state_fd_;
  int packet_ts_fd_;
  CleanupOptions options_;
  mutable std::mutex mu_;
  CleanupStats stats_;
};

}  // namespace pping
