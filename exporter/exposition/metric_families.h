// SPDX-License-Identifier: Apache-2.0
// Turns plain statistics into Prometheus metric families. Prometheus
// types stay in this package: everything below it hands over plain structs.
#pragma once

#include <prometheus/metric_family.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/stats/attachment_info.h"
#include "exporter/stats/cleanup_stats.h"
#include "exporter/stats/global_counters.h"
#include "exporter/util/process_stats.h"

namespace pping {

// Global packet/byte, ECN, truncation, map-full and sample counters.
std::vector<prometheus::MetricFamily> GlobalFamilies(const GlobalCounters& counters);

// Flow lifecycle, sampling and cleanup: kernel counters (FIN/RST closes,
// opens, stamps) joined with the user-space sweep's (timeouts, expiries).
std::vector<prometheus::MetricFamily> FlowFamilies(const GlobalCounters& counters, const CleanupStats& cleanup);
// DNS queries seen, and those left unanswered.
std::vector<prometheus::MetricFamily> DnsFamilies(const GlobalCounters& counters, const CleanupStats& cleanup);

// Capacity of each datapath map, for "how full" panels: the flow and
// timestamp maps' now (they grow and shrink) and at most.
struct MapSizes {
  uint64_t packet_ts = 0;
  uint64_t flow_state = 0;
  uint64_t aggregation = 0;  // per instance
  uint64_t packet_ts_max = 0;
  uint64_t flow_state_max = 0;
};

// The HTTP endpoint's connections, as the server counts them.
struct WebHealth {
  uint64_t open = 0;
  uint64_t limit = 0;
  std::vector<std::pair<std::string, uint64_t>> closed;     // by reason
  uint64_t unauthorized = 0;                                // requests answered 401
  uint64_t config_reloads = 0, config_reload_failures = 0;  // of --web.config.file
};

struct ExporterHealth {
  AttachmentReport attachments;
  MapSizes map_sizes;
  uint64_t aggregation_syncs = 0;
  uint64_t tracked_prefixes = 0;
  uint64_t collect_errors = 0;
  uint64_t tracked_prefix_limit = 0;  // 0: none
  uint64_t evicted_traffic_only = 0;  // prefixes evicted at that limit, by whether they had RTTs
  uint64_t evicted_with_rtt = 0;
  std::optional<uint64_t> output_write_errors;  // with console output only
  std::optional<WebHealth> web;                 // while serving
  std::optional<ProcessStats> process;          // the process_* families, where /proc is readable
};

// Build info, attachments and the exporter's own health.
std::vector<prometheus::MetricFamily> ExporterFamilies(const ExporterHealth& health);

}  // namespace pping
