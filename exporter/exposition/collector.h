// SPDX-License-Identifier: Apache-2.0
// The scrape handler's source: on every scrape it writes the per-prefix
// state as of the latest periodic drain and the live global counters.
#pragma once

#include <atomic>
#include <functional>

#include "exporter/exposition/exposition_source.h"
#include "exporter/exposition/metric_families.h"
#include "exporter/exposition/prefix_exposition.h"
#include "exporter/exposition/rtt_buckets.h"
#include "exporter/stats/aggregator.h"
#include "exporter/stats/cleanup_stats.h"
#include "exporter/stats/global_counters.h"

namespace pping {

class PpingCollector : public ExpositionSource {
 public:
  using CleanupStatsReader = std::function<CleanupStats()>;
  using AttachmentReader = std::function<AttachmentReport()>;

  PpingCollector(Aggregator& aggregator, GlobalCountersReader counters, CleanupStatsReader cleanup,
                 AttachmentReader attachments, MapSizes map_sizes, PrefixExposition prefix_text);
  void AppendExposition(ExpositionStream& out) override;
  // Reports the console output's failed writes, when there is one.
  void set_output_errors(std::function<uint64_t()> reader) { output_errors_ = std::move(reader); }
  // Reports the HTTP endpoint's connections.
  void set_web_health(std::function<WebHealth()> reader) { web_health_ = std::move(reader); }

 private:
  Aggregator& aggregator_;
  GlobalCountersReader counters_;
  CleanupStatsReader cleanup_;
  AttachmentReader attachments_;
  MapSizes map_sizes_;
  PrefixExposition prefix_text_;  // keeps its buffers between scrapes
  std::function<uint64_t()> output_errors_;
  std::function<WebHealth()> web_health_;
  std::atomic<uint64_t> errors_{0};
};

}  // namespace pping
