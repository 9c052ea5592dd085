// SPDX-License-Identifier: Apache-2.0
#include "exporter/events/console_output.h"

namespace pping {

ConsoleOutput::ConsoleOutput(const OutputOptions& options, int events_fd, Aggregator& aggregator) {
  const bool aggregated = options.prints_aggregates();
  // Line formats append to an existing file; a JSON array must start afresh.
  const bool append = options.format != "json";
  if (aggregated) {
    aggregate_format_ = MakeAggregateFormatter(options.format);
    output_ = std::make_unique<OutputFile>(
        options.write_path, append, [this] { return aggregate_format_->Begin(); },
        [this] { return aggregate_format_->End(); });
    aggregate_task_ = std::make_unique<PeriodicTask>("aggregated output", options.aggregate,
                                                     [this, &aggregator] { PrintAggregates(aggregator); });
    return;
  }
  event_format_ = MakeEventFormatter(options.format);
  output_ = std::make_unique<OutputFile>(
      options.write_path, append, [this] { return event_format_->Begin(); }, [this] { return event_format_->End(); });
  reader_ = std::make_unique<EventReader>(events_fd, [this](const Event& e) { Print(e); });
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

void ConsoleOutput::PrintAggregates(Aggregator& aggregator) {
  const auto now = std::chrono::system_clock::now();
  std::string text;
  std::lock_guard lock(format_mu_);
  for (const PrefixRecord& r : aggregator.TakeWindow()) text += aggregate_format_->Format({now, r.key, r.stats});
  output_->Write(text);
}

ClosedFlowSink ConsoleOutput::closed_flow_sink() {
  if (!event_format_) return nullptr;
  return [this](const pp_flow_key& key, const char* reason) {
    Print(CleanupClosedFlow(key, std::chrono::system_clock::now(), reason));
  };
}

void ConsoleOutput::Reopen() { output_->Reopen(); }

}  // namespace pping
