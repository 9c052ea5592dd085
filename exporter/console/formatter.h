// SPDX-License-Identifier: Apache-2.0
// The per-event output formats, as ePPing prints them (see the README for
// each): standard (human), ppviz (pping's machine format, TCP only), json
// (one array) and jsonl (one object per line).
#pragma once

#include <memory>
#include <string>

#include "exporter/console/console_options.h"
#include "exporter/console/event.h"

namespace pping {

class EventFormatter {
 public:
  virtual ~EventFormatter() = default;
  // Text before the first event and after the last (json's brackets).
  virtual std::string Begin() { return ""; }
  virtual std::string End() { return ""; }
  // The text of one event, newline included; "" to leave it out.
  virtual std::string Format(const Event& event) = 0;
};

std::unique_ptr<EventFormatter> MakeEventFormatter(OutputFormat format);

// "HH:MM:SS.nnnnnnnnn" in local time.
std::string ClockTime(std::chrono::system_clock::time_point t);
// Nanoseconds since the Unix epoch.
int64_t UnixNanoseconds(std::chrono::system_clock::time_point t);
// "192.0.2.1:40000+192.0.2.2:80" (IPv6 in brackets).
std::string FlowText(const EventFlow& flow);

}  // namespace pping
