// SPDX-License-Identifier: Apache-2.0
// Durations as flags and config values spell them: a number and a unit,
// as Prometheus and Go do ("100ms", "1.5s", "5m", "1h30m", "250us").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pping {

// Units: ns, us (or µs), ms, s, m, h, d; parts add up ("1m30s"); "0"
// alone is zero. Nothing else: no sign, no bare number, no spaces.
std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// The shortest exact spelling: "100ms", "5m", "1m30s", "0s".
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace pping
