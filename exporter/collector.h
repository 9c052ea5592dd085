// SPDX-License-Identifier: Apache-2.0
// The scrape handler's source: on every scrape it writes the per-prefix
// state as of the latest periodic drain and the live global counters.
#pragma once

#include <atomic>
#include <functional>

#include "exporter/aggregator.h"
#include "exporter/cleanup_stats.h"
#include "exporter/exposition_source.h"
#include "exporter/global_counters.h"
#include "exporter/metric_families.h"
#include "exporter/prefix_exposition.h"
#include "exporter/rtt_buckets.h"

namespace pping {

class PpingCollector : public ExpositionSource {
 public:
  using CleanupStatsReader = std::function<CleanupStats()>;
  using AttachmentReader = std::function<AttachmentReport()>;

  PpingCollector(Aggregator& aggregator, GlobalCountersReader counters, CleanupStatsReader cleanup,
                 AttachmentReader attachments, MapSizes map_sizes, RttBucketLayout buckets);
  void AppendExposition(ExpositionStream& out) override;

 private:
  Aggregator& aggregator_;
  GlobalCountersReader counters_;
  CleanupStatsReader cleanup_;
  AttachmentReader attachments_;
  MapSizes map_sizes_;
  PrefixExposition prefix_text_;  // keeps its buffers between scrapes
  std::atomic<uint64_t> errors_{0};
};

}  // namespace pping
