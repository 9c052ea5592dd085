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
  // Live: threads of its own print events as they come and aggregates at
  // their period, in wall-clock time. Replay: the caller moves it along in
  // the capture's time (DrainEvents, PrintAggregates).
  using Mode = EventReader::Mode;

  // Starts printing what `options` asks for (it must ask for something);
  // throws UsageError for an unusable --output.write path.
  ConsoleOutput(const ConsoleOptions& options, EventsMap events, Aggregator& aggregator, Mode mode = Mode::kLive);
  ~ConsoleOutput();

  // A flow the cleanup removed (kTimeout, kEvicted) or a replay left open
  // (kCaptureEnd), at `time`: an event too, when events are printed.
  void PrintClosedFlow(const pp_flow_key& key, FlowChange reason,
                       std::chrono::system_clock::time_point time = std::chrono::system_clock::now());
  // Replay: prints the events waiting in the ring buffer.
  void DrainEvents();
  // Prints the aggregated view of the interval that ends at `time`
  // (replay: the capture's time; live, its own task does it).
  void PrintAggregates(std::chrono::system_clock::time_point time);
  // SIGHUP: reopen the --output.write file.
  void Reopen();
  // Writes of the output that failed (see OutputFile::Write).
  uint64_t failed_writes() const { return output_->failed_writes(); }

 private:
  void Print(const Event& event);

  Aggregator& aggregator_;
  std::unique_ptr<EventFormatter> event_format_;
  std::unique_ptr<AggregateFormatter> aggregate_format_;
  std::mutex format_mu_;  // formatters keep state (json separators)
  std::unique_ptr<OutputFile> output_;
  std::unique_ptr<EventReader> reader_;
  std::unique_ptr<PeriodicTask> aggregate_task_;
};

}  // namespace pping
