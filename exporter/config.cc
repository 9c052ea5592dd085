// SPDX-License-Identifier: Apache-2.0
#include "exporter/config.h"

#include <CLI/CLI.hpp>

#include "exporter/error.h"
#include "exporter/version.h"

namespace pping {
namespace {

struct RawNumbers {
  unsigned interval_ms = 1000;
  unsigned expiry_s = 600;
  unsigned demo_delay_ms = 20;
  bool demo = false;
  unsigned rate_limit_ms = 100;
  std::string rtt_type = "min";
  unsigned burst_window_ms = 5;
  unsigned cleanup_interval_ms = 1000;
  unsigned tcp_timeout_s = 300;
  unsigned icmp_timeout_s = 30;
  unsigned protect_ms = 500;
  unsigned aggregate_s = 0;
};

bool IsPowerOfTwo(unsigned v) { return v && !(v & (v - 1)); }

void AddOutputFlags(CLI::App& app, Config& c, RawNumbers& n) {
  app.add_option("--format", c.output.format,
                 "Print events too: standard, ppviz, json or jsonl (with --aggregate: the aggregated view)")
      ->check(CLI::IsMember({"standard", "ppviz", "json", "jsonl"}));
  app.add_option("--write", c.output.write_path,
                 "Write the console output to FILE (appended for line formats; SIGHUP reopens it)");
  app.add_option("--aggregate", n.aggregate_s, "Print per-prefix aggregates every N seconds instead of events")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--events.buffer-size", c.output.events_buffer_bytes,
                 "Bytes of the kernel event ring buffer (a power of two, at least 4096)")
      ->check(CLI::Range(4096u, 1u << 30))
      ->capture_default_str();
}

void AddSamplingFlags(CLI::App& app, Config& c, RawNumbers& n) {
  app.add_option("--rate-limit", n.rate_limit_ms, "Least time (ms) between two timestamps of one flow")
      ->check(CLI::Range(0u, 3600000u))
      ->capture_default_str();
  app.add_option("--rtt-rate", c.sampling.rtt_rate,
                 "Rate limit as a fraction of the flow's RTT (e.g. 0.1); 0 uses --rate-limit")
      ->check(CLI::Range(0.0, 10000.0))
      ->capture_default_str();
  app.add_option("--rtt-type", n.rtt_type, "RTT that --rtt-rate scales: min or smoothed")
      ->check(CLI::IsMember({"min", "smoothed"}))
      ->capture_default_str();
  app.add_option("--sampling.burst-count", c.sampling.burst_count,
                 "Extra new identifiers stamped right after a sample, in case it is never echoed")
      ->check(CLI::Range(0u, 255u))
      ->capture_default_str();
  app.add_option("--sampling.burst-window-ms", n.burst_window_ms, "How soon after a sample burst stamps may follow")
      ->check(CLI::Range(0u, 10000u))
      ->capture_default_str();
  app.add_flag("--include-local", c.include_local,
               "Also report RTTs matched on egress (the local host or the network behind it)");
  app.add_flag("--include-syn", c.include_syn, "Let a SYN alone open a flow (tracks half-open flows)");
}

void AddCleanupFlags(CLI::App& app, RawNumbers& n) {
  app.add_option("--cleanup.interval-ms", n.cleanup_interval_ms, "How often idle flows and timestamps are removed")
      ->check(CLI::Range(10u, 600000u))
      ->capture_default_str();
  app.add_option("--cleanup.tcp-timeout", n.tcp_timeout_s, "Seconds after which an idle TCP flow is forgotten")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  app.add_option("--cleanup.icmp-timeout", n.icmp_timeout_s, "Seconds after which an idle ICMP flow is forgotten")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  app.add_option("--cleanup.protect-ms", n.protect_ms,
                 "When a map is nearly full the oldest entries are evicted, never ones younger than this")
      ->check(CLI::Range(0u, 3600000u))
      ->capture_default_str();
}

void AddFlags(CLI::App& app, Config& c, RawNumbers& n) {
  // Every flag can also be set in a TOML file, by its long name:
  // web.listen-address = ":9789". The default '.' section separator would
  // turn the dots in our flag names into TOML sections, hence '/'.
  app.set_config("--config.file", "", "Read flags from this TOML file (keys are the long flag names)");
  app.get_config_formatter_base()->parentSeparator('/');
  app.add_option("-i,--interface", c.interfaces,
                 "Interface to monitor (repeatable); default: the one carrying the default route");
  app.add_option("--netns", c.netns, "Named network namespace (/run/netns/NAME) holding the interfaces");
  app.add_option("--web.listen-address", c.listen_address, "Address to serve metrics on, [host]:port")
      ->capture_default_str();
  app.add_option("--web.telemetry-path", c.telemetry_path, "Path under which to expose metrics")->capture_default_str();
  app.add_option("--aggregation.ipv4-prefix", c.ipv4_prefix_len, "Prefix length grouping IPv4 remotes")
      ->check(CLI::Range(0, 32))
      ->capture_default_str();
  app.add_option("--aggregation.ipv6-prefix", c.ipv6_prefix_len, "Prefix length grouping IPv6 remotes")
      ->check(CLI::Range(0, 128))
      ->capture_default_str();
  app.add_option("--aggregation.max-prefixes", c.max_prefixes,
                 "Remote prefixes (x protocol) the kernel tracks per interval")
      ->check(CLI::Range(1u, 1u << 20))
      ->capture_default_str();
  app.add_option("--aggregation.interval-ms", n.interval_ms, "How often the kernel aggregation maps are drained")
      ->check(CLI::Range(10u, 60000u))
      ->capture_default_str();
  app.add_option("--aggregation.series-expiry", n.expiry_s,
                 "Seconds without traffic after which a prefix's series are dropped (0: never)")
      ->check(CLI::Range(0u, 86400u * 365))
      ->capture_default_str();
  app.add_option("--histogram.buckets-per-octave", c.histogram.per_octave,
                 "Exported RTT buckets per doubling: 1, 2, 4 or 8 (8 exports every kernel bucket)")
      ->check(CLI::IsMember({1u, 2u, 4u, 8u}))
      ->capture_default_str();
  app.add_option("--histogram.min", c.histogram.min_seconds, "Lowest exported RTT bucket bound at least (seconds)")
      ->check(CLI::Range(1e-6, 33.0))
      ->capture_default_str();
  app.add_option("--histogram.max", c.histogram.max_seconds, "Highest exported RTT bucket bound at most (seconds)")
      ->check(CLI::Range(1e-6, 33.6))
      ->capture_default_str();
  app.add_option("--flow-map-size", c.flow_map_size, "Flows tracked at once")
      ->check(CLI::Range(16u, 1u << 24))
      ->capture_default_str();
  app.add_option("--timestamp-map-size", c.timestamp_map_size,
                 "Outstanding timestamps the timestamp map holds at once (burst stamps, samples a flow cannot hold)")
      ->check(CLI::Range(16u, 1u << 24))
      ->capture_default_str();
  app.add_option("--log.level", c.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--tc.attach-mode", c.attach_mode,
                 "auto: TCX links where the kernel has them, else clsact; or force tcx or clsact")
      ->check(CLI::IsMember({"auto", "tcx", "clsact"}))
      ->capture_default_str();
  app.add_option("--ingress-hook", c.ingress_hook, "Hook for ingress: tc, or xdp (loaded through libxdp)")
      ->check(CLI::IsMember({"tc", "xdp"}))
      ->capture_default_str();
  app.add_option("--xdp-mode", c.xdp_mode, "XDP attach mode: native, generic or unspecified (kernel's choice)")
      ->check(CLI::IsMember({"native", "generic", "unspecified"}))
      ->capture_default_str();
  app.add_flag("--demo", n.demo, "Build a two-namespace lab with a known delay and real traffic, and monitor it");
  app.add_option("--demo.delay-ms", n.demo_delay_ms, "One-way delay injected in the demo lab")
      ->check(CLI::Range(1u, 10000u))
      ->capture_default_str();
  app.set_version_flag("--version", std::string(kVersion));
}

void AddAllFlags(CLI::App& app, Config& config, RawNumbers& n) {
  AddFlags(app, config, n);
  AddSamplingFlags(app, config, n);
  AddCleanupFlags(app, n);
  AddOutputFlags(app, config, n);
}

}  // namespace

std::vector<std::string> ConfigFileKeys() {
  CLI::App app;
  Config config;
  RawNumbers n;
  AddAllFlags(app, config, n);
  std::vector<std::string> keys;
  for (const CLI::Option* opt : app.get_options()) {
    const std::string name = opt->get_single_name();
    if (name.empty() || name == "help" || name == "version" || name == "config.file") continue;
    keys.push_back(name);
  }
  return keys;
}

namespace {

ParseOutcome Validate(Config config, const RawNumbers& n);

}  // namespace

ParseOutcome ParseCommandLine(int argc, const char* const* argv) {
  CLI::App app{"pping_exporter: passive per-subnet network latency for Prometheus", "pping_exporter"};
  Config config;
  RawNumbers n;
  AddAllFlags(app, config, n);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, app.help()};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, 0, std::string(kVersion)};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, kUsageExitCode, e.what()};
  }
  return Validate(std::move(config), n);
}

namespace {

// Turns the raw numbers into durations and checks what CLI11 cannot.
ParseOutcome Validate(Config config, const RawNumbers& n) {
  config.aggregation_interval = std::chrono::milliseconds(n.interval_ms);
  config.series_expiry = std::chrono::seconds(n.expiry_s);
  config.sampling.rate_limit = std::chrono::milliseconds(n.rate_limit_ms);
  config.sampling.use_smoothed_rtt = n.rtt_type == "smoothed";
  config.sampling.burst_window = std::chrono::milliseconds(n.burst_window_ms);
  config.cleanup = {std::chrono::milliseconds(n.cleanup_interval_ms), std::chrono::seconds(n.tcp_timeout_s),
                    std::chrono::seconds(n.icmp_timeout_s), std::chrono::milliseconds(n.protect_ms)};
  if (n.demo) config.demo = DemoOptions{std::chrono::milliseconds(n.demo_delay_ms)};
  config.output.aggregate = std::chrono::seconds(n.aggregate_s);
  if (n.aggregate_s > 0 && config.output.format.empty()) config.output.format = "standard";
  if (n.aggregate_s > 0 && config.output.format == "ppviz") {
    return {std::nullopt, kUsageExitCode, "--aggregate prints standard, json or jsonl, not ppviz"};
  }
  if (!config.output.write_path.empty() && config.output.format.empty()) {
    return {std::nullopt, kUsageExitCode, "--write needs --format or --aggregate"};
  }
  if (!IsPowerOfTwo(config.output.events_buffer_bytes)) {
    return {std::nullopt, kUsageExitCode, "--events.buffer-size must be a power of two"};
  }
  if (n.demo && (!config.interfaces.empty() || !config.netns.empty())) {
    return {std::nullopt, kUsageExitCode, "--demo builds its own lab: drop --interface and --netns"};
  }
  if (config.telemetry_path.empty() || config.telemetry_path.front() != '/') {
    return {std::nullopt, kUsageExitCode, "--web.telemetry-path must start with '/'"};
  }
  try {
    RttBucketLayout check(config.histogram);
  } catch (const UsageError& e) {
    return {std::nullopt, kUsageExitCode, e.what()};
  }
  return {std::move(config), 0, ""};
}

}  // namespace
}  // namespace pping
