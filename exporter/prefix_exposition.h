// SPDX-License-Identifier: Apache-2.0
// Writes the per-prefix families (RTT histograms, min/max gauges, traffic
// counters) straight into exposition text. These are the only families
// whose size grows with the traffic (16k prefixes x ~40 buckets); building
// a prometheus-cpp object per bucket made such a scrape take seconds, while
// appending a few preformatted pieces per line takes milliseconds.
#pragma once

#include <string>
#include <vector>

#include "exporter/prefix_stats.h"
#include "exporter/rtt_buckets.h"

namespace pping {

class PrefixExposition {
 public:
  // The histogram family is written into `out` as prefixes are added; the
  // smaller families are kept aside until Finish(). `expected_prefixes`
  // sizes `out` once instead of regrowing (and copying) it many times.
  PrefixExposition(const RttBucketLayout& layout, std::string& out, size_t expected_prefixes = 0);

  // `total` since start; `last_rtt`: the latest interval with RTT samples.
  void Add(const PrefixKey& key, const PrefixStats& total, const PrefixStats& last_rtt);
  // Appends the min/max gauges and traffic counters.
  void Finish();

 private:
  void AddHistogram(const std::string& labels, const PrefixStats& total);

  const RttBucketLayout& layout_;
  std::string& out_;
  std::string min_, max_, packets_, bytes_;
  std::vector<uint64_t> cumulative_;  // reused across prefixes
};

}  // namespace pping
