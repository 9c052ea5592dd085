// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/collector.h"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "exporter/util/error.h"
#include "exporter/util/release_memory.h"

namespace pping {
namespace {

// Prefixes written per hold of the aggregator's lock: with the default
// buckets about one piece of the stream, and a short hold.
constexpr size_t kPrefixesPerLock = 256;
// Label text dropped at once before the memory is handed back (smaller
// drops go back with the aggregator's next release).
constexpr size_t kLabelsPerRelease = 4096;

void Append(std::vector<prometheus::MetricFamily>& out, std::vector<prometheus::MetricFamily> more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

PpingCollector::PpingCollector(Aggregator& aggregator, GlobalCountersReader counters, CleanupStatsReader cleanup,
                               AttachmentReader attachments, MapSizes map_sizes, PrefixExposition prefix_text)
    : aggregator_(aggregator),
      counters_(std::move(counters)),
      cleanup_(std::move(cleanup)),
      attachments_(std::move(attachments)),
      map_sizes_(map_sizes),
      prefix_text_(std::move(prefix_text)) {}

void PpingCollector::AppendExposition(ExpositionStream& out) {
  std::vector<prometheus::MetricFamily> families;
  const CleanupStats cleanup = cleanup_();
  try {
    // No drain here: the periodic sync drains every aggregation interval,
    // so prefixes are at most one interval old, and a big scrape does not
    // wait for a drain of its own.
    const GlobalCounters counters = counters_();
    Append(families, GlobalFamilies(counters));
    Append(families, FlowFamilies(counters, cleanup));
    Append(families, DnsFamilies(counters, cleanup));
  } catch (const Error& e) {
    ++errors_;
    spdlog::error("collect: {}", e.what());
  }
  // The per-prefix families are written one after the other, each in a
  // walk of its own: a batch of prefixes per hold of the aggregator's lock,
  // read in place; text leaves between batches, when the lock is free for
  // the drain. A client that gave up (a scrape timeout) ends the walks:
  // writing the rest for nobody would only hold up the next scrape.
  uint64_t prefixes = 0;
  for (const PrefixFamily family : prefix_text_.families()) {
    PrefixExposition::Header(family, out.text());
    Aggregator::Walk walk = aggregator_.BeginWalk();
    const bool first = family == prefix_text_.families().front();
    const auto add = [&](uint32_t slot, const PrefixKey& key, const PrefixStats& total, const RttRange& last_rtt) {
      prefix_text_.Add(family, out.text(), slot, key, total, last_rtt);
      prefixes += first;
    };
    while (!out.client_gone() && aggregator_.ContinueWalk(walk, kPrefixesPerLock, add)) out.Yield();
    out.Yield();
  }
  // Label text is small per prefix: only a peak's worth is handed back.
  if (prefix_text_.KeepLabelsFor(aggregator_.slot_count()) >= kLabelsPerRelease) ReleaseFreedMemory();
  const Evictions evicted = aggregator_.evictions();
  // The flow and timestamp maps' capacities follow their moves.
  MapSizes sizes = map_sizes_;
  if (cleanup.flows_capacity > 0) sizes.flow_state = cleanup.flows_capacity;
  if (cleanup.timestamps_capacity > 0) sizes.packet_ts = cleanup.timestamps_capacity;
  ExporterHealth health{
      attachments_(),       sizes,           aggregator_.syncs(), prefixes, errors_.load(), aggregator_.max_prefixes(),
      evicted.traffic_only, evicted.with_rtt};
  if (output_errors_) health.output_write_errors = output_errors_();
  if (web_health_) health.web = web_health_();
  health.process = ReadProcessStats();
  Append(families, ExporterFamilies(health));
  out.text() += prometheus::TextSerializer().Serialize(families);
}

}  // namespace pping
