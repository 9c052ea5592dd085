// SPDX-License-Identifier: Apache-2.0
// The exporter's configuration: an immutable value built once from the
// command line, validated before anything touches the kernel.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "exporter/rtt_buckets.h"

namespace pping {

struct DemoOptions {
  std::chrono::milliseconds delay{20};
};

// Which identifiers are stamped (see bpf/sampling.h).
struct SamplingOptions {
  std::chrono::milliseconds rate_limit{100};  // least time between two stamps of a flow
  double rtt_rate = 0;                        // if > 0: rate limit = rtt_rate x flow RTT
  bool use_smoothed_rtt = false;              // --rtt-type smoothed (else min)
  unsigned burst_count = 2;                   // extra identifiers stamped after a sample
  std::chrono::milliseconds burst_window{5};
};

// How long idle entries live before the cleanup removes them.
struct CleanupOptions {
  std::chrono::milliseconds interval{1000};
  std::chrono::seconds tcp_flow_timeout{300};
  std::chrono::seconds icmp_flow_timeout{30};
  // Under pressure (a map ~full), the oldest entries are evicted, but none
  // younger than this: a new flow gets a chance at its first sample.
  std::chrono::milliseconds protect_young{500};
};

// The console output: per-event lines, or an aggregated view.
struct OutputOptions {
  std::string format;                 // empty: no console output; standard, ppviz, json, jsonl
  std::string write_path;             // empty: stdout
  std::chrono::seconds aggregate{0};  // > 0: aggregated view every N s instead of events
  unsigned events_buffer_bytes = 1u << 20;

  // What the console prints, if anything: events one by one, or the
  // aggregated view (which then needs the aggregator's windows).
  bool prints_events() const { return !format.empty() && aggregate.count() == 0; }
  bool prints_aggregates() const { return !format.empty() && aggregate.count() > 0; }
};

struct Config {
  std::vector<std::string> interfaces;  // empty: the default-route interface
  std::string netns;                    // named netns holding the interfaces
  std::string listen_address = ":9789";
  std::string telemetry_path = "/metrics";
  unsigned ipv4_prefix_len = 24;
  unsigned ipv6_prefix_len = 48;
  unsigned max_prefixes = 4096;
  unsigned flow_map_size = 16384;
  unsigned timestamp_map_size = 16384;
  std::chrono::milliseconds aggregation_interval{1000};
  std::chrono::seconds series_expiry{600};  // 0: never forget a prefix
  std::string log_level = "info";
  std::string attach_mode = "auto";      // auto (TCX, else clsact), tcx, clsact
  std::string ingress_hook = "tc";       // tc or xdp
  std::string xdp_mode = "unspecified";  // native, generic, unspecified
  SamplingOptions sampling;
  CleanupOptions cleanup;
  bool include_local = false;  // also report RTTs matched on egress
  bool include_syn = false;    // a SYN alone opens a flow
  OutputOptions output;
  RttBucketOptions histogram;  // exported `le` bounds of pping_rtt_seconds
  std::optional<DemoOptions> demo;
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

// The keys a --config.file may set: every flag's long name.
std::vector<std::string> ConfigFileKeys();

}  // namespace pping
