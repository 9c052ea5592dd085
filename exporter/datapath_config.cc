// SPDX-License-Identifier: Apache-2.0
#include "exporter/datapath_config.h"

#include <chrono>
#include <cmath>

#include "exporter/prefix.h"

namespace pping {
namespace {

uint64_t Nanoseconds(std::chrono::nanoseconds d) { return static_cast<uint64_t>(d.count()); }

}  // namespace

DatapathOptions MakeDatapathOptions(const Config& config) {
  DatapathOptions options;
  pp_config& c = options.datapath;
  c = MakePrefixConfig(config.ipv4_prefix_len, config.ipv6_prefix_len);
  c.rate_limit_ns = Nanoseconds(config.sampling.rate_limit);
  c.rtt_rate_milli = static_cast<uint32_t>(std::lround(config.sampling.rtt_rate * 1000));
  c.use_srtt = config.sampling.use_smoothed_rtt;
  c.burst_count = static_cast<uint8_t>(config.sampling.burst_count);
  c.burst_window_ns = Nanoseconds(config.sampling.burst_window);
  c.include_local = config.include_local;
  c.include_syn = config.include_syn;
  // Events only cost anything when they are printed one by one.
  c.emit_events = config.output.prints_events();
  if (c.emit_events) options.events_buffer_bytes = config.output.events_buffer_bytes;
  options.max_prefixes = config.max_prefixes;
  options.flow_map_size = config.flow_map_size;
  options.timestamp_map_size = config.timestamp_map_size;
  return options;
}

}  // namespace pping
