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
};

void AddFlags(CLI::App& app, Config& c, RawNumbers& n) {
  app.add_option("-i,--interface", c.interfaces,
                 "Interface to monitor (repeatable); default: the one carrying the default route");
  app.add_option("--netns", c.netns, "Named network namespace (/run/netns/NAME) holding the interfaces");
  app.add_option("--web.listen-address", c.listen_address, "Address to serve metrics on, [host]:port")
      ->capture_default_str();
  app.add_option("--web.telemetry-path", c.telemetry_path, "Path under which to expose metrics")
      ->capture_default_str();
  app.add_option("--aggregation.ipv4-prefix", c.ipv4_prefix_len, "Prefix length grouping IPv4 remotes")
      ->check(CLI::Range(0, 32))->capture_default_str();
  app.add_option("--aggregation.ipv6-prefix", c.ipv6_prefix_len, "Prefix length grouping IPv6 remotes")
      ->check(CLI::Range(0, 128))->capture_default_str();
  app.add_option("--aggregation.max-prefixes", c.max_prefixes,
                 "Remote prefixes (x protocol) the kernel tracks per interval")
      ->check(CLI::Range(1u, 1u << 20))->capture_default_str();
  app.add_option("--aggregation.interval-ms", n.interval_ms,
                 "How often the kernel aggregation maps are drained")
      ->check(CLI::Range(10u, 60000u))->capture_default_str();
  app.add_option("--aggregation.series-expiry", n.expiry_s,
                 "Seconds without traffic after which a prefix's series are dropped (0: never)")
      ->check(CLI::Range(0u, 86400u * 365))->capture_default_str();
  app.add_option("--flow-map-size", c.flow_map_size, "Flows tracked at once")
      ->check(CLI::Range(16u, 1u << 24))->capture_default_str();
  app.add_option("--timestamp-map-size", c.timestamp_map_size, "Outstanding timestamps tracked at once")
      ->check(CLI::Range(16u, 1u << 24))->capture_default_str();
  app.add_option("--log.level", c.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))->capture_default_str();
  app.add_option("--tc.attach-mode", c.attach_mode,
                 "auto: TCX links where the kernel has them, else clsact; or force tcx or clsact")
      ->check(CLI::IsMember({"auto", "tcx", "clsact"}))->capture_default_str();
  app.add_flag("--demo", n.demo,
               "Build a two-namespace lab with a known delay and real traffic, and monitor it");
  app.add_option("--demo.delay-ms", n.demo_delay_ms, "One-way delay injected in the demo lab")
      ->check(CLI::Range(1u, 10000u))->capture_default_str();
  app.set_version_flag("--version", std::string(kVersion));
}

}  // namespace

ParseOutcome ParseCommandLine(int argc, const char* const* argv) {
  CLI::App app{"pping_exporter: passive per-subnet network latency for Prometheus", "pping_exporter"};
  Config config;
  RawNumbers n;
  AddFlags(app, config, n);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, app.help()};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, 0, std::string(kVersion)};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, kUsageExitCode, e.what()};
  }
  config.aggregation_interval = std::chrono::milliseconds(n.interval_ms);
  config.series_expiry = std::chrono::seconds(n.expiry_s);
  if (n.demo) config.demo = DemoOptions{std::chrono::milliseconds(n.demo_delay_ms)};
  if (n.demo && (!config.interfaces.empty() || !config.netns.empty())) {
    return {std::nullopt, kUsageExitCode, "--demo builds its own lab: drop --interface and --netns"};
  }
  if (config.telemetry_path.empty() || config.telemetry_path.front() != '/') {
    return {std::nullopt, kUsageExitCode, "--web.telemetry-path must start with '/'"};
  }
  return {std::move(config), 0, ""};
}

}  // namespace pping
