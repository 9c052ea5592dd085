// SPDX-License-Identifier: Apache-2.0
#include "exporter/collector.h"

#include <spdlog/spdlog.h>

#include <iterator>

#include "exporter/error.h"

namespace pping {
namespace {

void Append(std::vector<prometheus::MetricFamily>& out, std::vector<prometheus::MetricFamily> more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

PpingCollector::PpingCollector(Aggregator& aggregator, GlobalCountersReader counters, CleanupStatsReader cleanup,
                               AttachmentReader attachments, MapSizes map_sizes)
    : aggregator_(aggregator),
      counters_(std::move(counters)),
      cleanup_(std::move(cleanup)),
      attachments_(std::move(attachments)),
      map_sizes_(map_sizes) {}

std::vector<prometheus::MetricFamily> PpingCollector::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  try {
    aggregator_.Sync();  // a scrape sees everything up to this moment
    const GlobalCounters counters = counters_();
    Append(families, GlobalFamilies(counters));
    Append(families, FlowFamilies(counters, cleanup_()));
  } catch (const Error& e) {
    ++errors_;
    spdlog::error("collect: {}", e.what());
  }
  const std::vector<PrefixSnapshot> prefixes = aggregator_.Snapshot();
  Append(families, PrefixFamilies(prefixes));
  ExporterHealth health{attachments_(), map_sizes_, aggregator_.syncs(), prefixes.size(), errors_.load()};
  Append(families, ExporterFamilies(health));
  return families;
}

}  // namespace pping
