// SPDX-License-Identifier: Apache-2.0
// The exporter's configuration: an immutable value built once from the
// command line and an optional TOML file, validated and typed (enums,
// durations) before anything touches the kernel. Each stage's options are
// its own struct; this file only gathers them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "exporter/attach/attach_options.h"
#include "exporter/cleanup/cleanup_options.h"
#include "exporter/console/console_options.h"
#include "exporter/exposition/rtt_buckets.h"
#include "exporter/http/web_options.h"
#include "exporter/kernel/datapath_options.h"
#include "exporter/replay/replay_options.h"
#include "exporter/util/log_format.h"

namespace pping {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };
enum class InterfaceLabel { kAuto, kOn, kOff };

// The user-space side of the aggregation.
struct AggregationOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(1);  // how often the kernel instances are drained
  // A prefix without traffic this long is dropped from /metrics; 0 keeps all.
  std::chrono::nanoseconds series_expiry = std::chrono::minutes(10);
  // Prefixes held at most; at the limit a new one evicts the least
  // recently active (those without RTTs first). Bounds user-space memory
  // under spoofed sources, which the expiry alone does not.
  size_t max_tracked_prefixes = 65536;
  // Split per-prefix series by interface (label interface): auto does when
  // more than one interface is monitored.
  InterfaceLabel interface_label = InterfaceLabel::kAuto;
};

struct Config {
  AttachOptions attach;
  WebOptions web;
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
  DatapathOptions datapath;
  AggregationOptions aggregation;
  RttBucketOptions histogram;  // exported `le` bounds of pping_rtt_seconds
  CleanupOptions cleanup;
  ConsoleOptions output;
  std::optional<ReplayOptions> replay;  // `replay FILE`: read a capture instead of attaching
  bool check_only = false;              // --config.check: validate, then exit
};

// What the command line asked for: run with a config, or exit right away
// (help, version) with the given code after printing `message`.
struct ParseOutcome {
  std::optional<Config> config;
  int exit_code = 0;
  std::string message;
};

// Never throws for bad input: bad flags give exit_code 2 and a one-line message.
ParseOutcome ParseCommandLine(int argc, const char* const* argv);

// The keys a --config.file may set: every flag's canonical long name.
std::vector<std::string> ConfigFileKeys();

}  // namespace pping
