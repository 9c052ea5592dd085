// SPDX-License-Identifier: Apache-2.0
// The optional console output next to /metrics: per-event lines, or an
// aggregated view, in one of ePPing's formats.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace pping {

enum class OutputFormat { kStandard, kPpviz, kJson, kJsonl };

// "standard", "ppviz", "json" or "jsonl".
const char* OutputFormatName(OutputFormat format);

struct ConsoleOptions {
  std::optional<OutputFormat> format;     // none: no console output
  std::string write_path;                 // empty: stdout
  std::chrono::nanoseconds aggregate{0};  // > 0: the aggregated view this often instead of events

  // What the console prints, if anything: events one by one, or the
  // aggregated view (which then needs the aggregator's windows).
  bool prints_events() const { return format && aggregate.count() == 0; }
  bool prints_aggregates() const { return format && aggregate.count() > 0; }
};

}  // namespace pping
