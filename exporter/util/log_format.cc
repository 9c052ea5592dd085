// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/log_format.h"

#include <spdlog/details/log_msg.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace pping {
namespace {

// RFC 3339 in UTC with milliseconds, as the toolkit's loggers write it.
std::string Timestamp(spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[40];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof(text) - n, ".%03dZ", static_cast<int>(millis));
  return text;
}

const char* LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err:
    case spdlog::level::critical: return "error";
    default: return "info";
  }
}

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::string line;
    if (format_ == LogFormat::kJson) {
      line = "{\"ts\":\"" + Timestamp(msg.time) + "\",\"level\":\"" + LevelName(msg.level) +
             "\",\"msg\":" + JsonString(text) + "}\n";
    } else {
      // msg is always quoted, as the toolkit's logfmt writes it.
      std::string value = LogfmtValue(text);
      if (value.empty() || value.front() != '"') value = "\"" + value + "\"";
      line = "ts=" + Timestamp(msg.time) + " level=" + LevelName(msg.level) + " msg=" + value + "\n";
    }
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_); }

 private:
  LogFormat format_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format) {
  return std::make_unique<LineFormatter>(format);
}

std::string LogfmtValue(std::string_view text) {
  bool quote = text.empty();
  std::string escaped;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        escaped += "\\\"";
        quote = true;
        continue;
      case '\\':
        escaped += "\\\\";
        quote = true;
        continue;
      case '\n':
        escaped += "\\n";
        quote = true;
        continue;
      case '\r':
        escaped += "\\r";
        quote = true;
        continue;
      case '\t':
        escaped += "\\t";
        quote = true;
        continue;
      default: break;
    }
    if (u < 0x20 || u == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02x", u);
      escaped += hex;
      quote = true;
      continue;
    }
    if (c == ' ' || c == '=') quote = true;
    escaped += c;
  }
  return quote ? "\"" + escaped + "\"" : escaped;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\u%04x", u);
      out += hex;
      continue;
    }
    out += c;  // UTF-8 passes through; invalid bytes are the writer's
  }
  return out + "\"";
}

}  // namespace pping
