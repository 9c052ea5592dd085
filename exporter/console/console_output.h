// SPDX-License-Identifier: Apache-2.0
// The optional console output, next to /metrics in the same process:
// either every RTT and flow event (from the kernel ring buffer, plus the
// flows the cleanup closes), or a per-prefix aggregate every interval
// from the same state that feeds /metrics.
#pragma once

#include <memory>
#include <mutex>

#include "bpf/abi/pping_abi.h"
#include "exporter/console/aggregate_format.h"
#include "exporter/console/console_options.h"
#include "exporter/console/event_reader.h"
#include "exporter/console/formatter.h"
#include "exporter/console/output_file.h"
#include "exporter/kernel/maps.h"
#include "exporter/stats/aggregator.h"
#include "exporter/util/periodic_task.h"

namespace pping {

class ConsoleOutput {
 public:
  // Starts printing what `options` asks for (it must ask for something);
  // throws UsageError for an unusable --output.write path.
  ConsoleOutput(const ConsoleOptions& options, EventsMap events, Aggregator& aggregator);
  ~ConsoleOutput();

  // A flow the cleanup removed (kTimeout, kEvicted): an event too, when
  // events are printed.
  void PrintClosedFlow(const pp_flow_key& key, FlowChange reason);
  // SIGHUP: reopen the --output.write file.
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
