// SPDX-License-Identifier: Apache-2.0
// Log lines as the Prometheus ecosystem writes them (--log.format):
// logfmt, `ts=... level=info msg="..."`, or one JSON object per line, so
// that log collectors parse the exporter's logs like node_exporter's.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace pping {

enum class LogFormat { kLogfmt, kJson };

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format);

// `text` as a logfmt value: bare when it needs no quotes, else quoted
// with \\, \", \n, \r and \t escaped (and other control bytes as \xNN).
std::string LogfmtValue(std::string_view text);
// `text` as a JSON string, quotes included.
std::string JsonString(std::string_view text);

}  // namespace pping
