// SPDX-License-Identifier: Apache-2.0
// How fast `pping_exporter replay` reads a large capture.
#pragma once

#include <cstdint>
#include <string>

namespace pping::bench {

struct ReplaySpeed {
  uint64_t packets = 0;
  double capture_mib = 0;
  double median_s = 0, min_s = 0, max_s = 0;  // wall time of the whole run, load and exit included
  double peak_rss_mib = 0;                    // the largest of the runs
  std::string summary;                        // the exporter's own closing line
};

// Writes a capture of `packets` packets (TCP request/response with the
// timestamp option, IPv4 and IPv6, and ping, over many flows) and times
// `runs` replays of it, side by side in one process.
ReplaySpeed MeasureReplay(const std::string& exporter, uint64_t packets, unsigned runs);

}  // namespace pping::bench
