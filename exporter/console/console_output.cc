// SPDX-License-Identifier: Apache-2.0
#include "exporter/console/console_output.h"

namespace pping {

ConsoleOutput::ConsoleOutput(const ConsoleOptions& options, EventsMap events, Aggregator& aggregator, Mode mode)
    : aggregator_(aggregator) {
  const OutputFormat format = options.format.value_or(OutputFormat::kStandard);
  // Line formats append to an existing file; a JSON array must start afresh.
  const bool append = format != OutputFormat::kJson;
  if (options.prints_aggregates()) {
    aggregate_format_ = MakeAggregateFormatter(format);
    output_ = std::make_unique<OutputFile>(
        options.write_path, append, [this] { return aggregate_format_->Begin(); },
        [this] { return aggregate_format_->End(); });
    if (mode == Mode::kLive) {
      aggregate_task_ = std::make_unique<PeriodicTask>(
          "aggregated output", options.aggregate, [this] { PrintAggregates(std::chrono::system_clock::now()); },
          TaskThread{"pping-aggregate", BpfUseCapabilities()});
    }
    return;
  }
  event_format_ = MakeEventFormatter(format);
  output_ = std::make_unique<OutputFile>(
      options.write_path, append, [this] { return event_format_->Begin(); }, [this] { return event_format_->End(); });
  reader_ = std::make_unique<EventReader>(
      std::move(events), [this](const Event& e) { Print(e); }, mode);
}

ConsoleOutput::~ConsoleOutput() {
  // Stop the producers before the output writes its footer and closes.
  aggregate_task_.reset();
  reader_.reset();
  output_.reset();
}

void ConsoleOutput::Print(const Event& event) {
  std::string text;
  {
    std::lock_guard lock(format_mu_);
    text = event_format_->Format(event);
  }
  output_->Write(text);
}

void ConsoleOutput::PrintAggregates(std::chrono::system_clock::time_point time) {
  if (!aggregate_format_) return;
  std::string text;
  std::lock_guard lock(format_mu_);
  for (const PrefixRecord& r : aggregator_.TakeWindow()) text += aggregate_format_->Format({time, r.key, r.stats});
  output_->Write(text);
}

void ConsoleOutput::PrintClosedFlow(const pp_flow_key& key, FlowChange reason,
                                    std::chrono::system_clock::time_point time) {
  if (event_format_) Print(CleanupClosedFlow(key, time, reason));
}

void ConsoleOutput::DrainEvents() {
  if (reader_) reader_->Drain();
}

void ConsoleOutput::Reopen() { output_->Reopen(); }

}  // namespace pping
