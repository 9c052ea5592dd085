// SPDX-License-Identifier: Apache-2.0
// The console's aggregated view (--output.aggregate): one record per prefix and
// interval with RTT count/min/mean/median/p95/max and traffic, in the
// standard, json or jsonl format. The same state feeds /metrics.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "exporter/console/console_options.h"
#include "exporter/stats/prefix_stats.h"

namespace pping {

struct AggregateRecord {
  std::chrono::system_clock::time_point time;
  PrefixKey key;
  PrefixStats window;
};

class AggregateFormatter {
 public:
  virtual ~AggregateFormatter() = default;
  virtual std::string Begin() { return ""; }
  virtual std::string End() { return ""; }
  virtual std::string Format(const AggregateRecord& record) = 0;
};

// Standard, json or jsonl; throws UsageError for ppviz, which has no
// aggregated form.
std::unique_ptr<AggregateFormatter> MakeAggregateFormatter(OutputFormat format);

}  // namespace pping
