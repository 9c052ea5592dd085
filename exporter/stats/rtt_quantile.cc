// SPDX-License-Identifier: Apache-2.0
#include "exporter/stats/rtt_quantile.h"

#include <algorithm>

#include "bpf/abi/rtt_histogram.h"

namespace pping {

double RttQuantileSeconds(const PrefixStats& stats, double q) {
  if (stats.rtt_count == 0) return 0;
  const double rank = q * static_cast<double>(stats.rtt_count);
  const double min_s = static_cast<double>(stats.rtt_min_ns) / 1e9;
  const double max_s = static_cast<double>(stats.rtt_max_ns) / 1e9;
  double below = 0;
  for (uint32_t b = 0; b < PP_HIST_BUCKETS; ++b) {
    const double count = static_cast<double>(stats.rtt_buckets[b]);
    if (count > 0 && below + count >= rank) {
      const double lower = b == 0 ? 0 : static_cast<double>(pp_hist_upper_bound_us(b - 1)) / 1e6;
      const uint64_t upper_us = pp_hist_upper_bound_us(b);
      const double upper = upper_us ? static_cast<double>(upper_us) / 1e6 : max_s;
      const double value = lower + (upper - lower) * (rank - below) / count;
      return std::clamp(value, min_s, max_s);
    }
    below += count;
  }
  return max_s;
}

}  // namespace pping
