// SPDX-License-Identifier: Apache-2.0
// The optional console output, next to /metrics in the same process:
// either every RTT and flow event (from the kernel ring buffer, plus the
// flows the cleanup closes), or a per-prefix aggregate every N seconds
// from the same state that feeds /metrics.
#pragma once

#include <memory>

#include "exporter/aggregator.h"
#include "exporter/config.h"
#include "exporter/events/aggregate_format.h"
#include "exporter/events/event_reader.h"
#include "exporter/events/formatter.h"
#include "exporter/events/output_file.h"
#include "exporter/map_cleaner.h"
#include "exporter/periodic_task.h"

namespace pping {

class ConsoleOutput {
 public:
  // Starts printing; throws UsageError for an unusable --write path.
  ConsoleOutput(const OutputOptions& options, int events_fd, Aggregator& aggregator);
  ~ConsoleOutput();

  // For the cleanup: flows it closes become events too.
  ClosedFlowSink closed_flow_sink();
  // SIGHUP: reopen the --write file.
  void Reopen();

 private:
  void Print(const Event& event);
  void PrintAggregates(Aggregator& aggregator);

  std::unique_ptr<EventFormatter> event_format_;
  std::unique_ptr<AggregateFormatter> aggregate_format_;
  std::mutex format_mu_;  // formatters keep state (json separators)
  std::unique_ptr<OutputFile> output_;
  std::unique_ptr<EventReader> reader_;
  std::unique_ptr<PeriodicTask> aggregate_task_;
};

}  // namespace pping
