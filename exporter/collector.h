// SPDX-License-Identifier: Apache-2.0
// The Prometheus collectable: on every scrape it drains the kernel
// aggregation instance, reads the global counters and renders families.
#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <functional>
#include <vector>

#include "exporter/aggregator.h"
#include "exporter/global_counters.h"
#include "exporter/cleanup_stats.h"
#include "exporter/metric_families.h"

namespace pping {

class PpingCollector : public prometheus::Collectable {
 public:
  using CleanupStatsReader = std::function<CleanupStats()>;
  using AttachmentReader = std::function<AttachmentReport()>;

  PpingCollector(Aggregator& aggregator, GlobalCountersReader counters, CleanupStatsReader cleanup,
                 AttachmentReader attachments, MapSizes map_sizes);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  Aggregator& aggregator_;
  GlobalCountersReader counters_;
  CleanupStatsReader cleanup_;
  AttachmentReader attachments_;
  MapSizes map_sizes_;
  mutable std::atomic<uint64_t> errors_{0};
};

}  // namespace pping
