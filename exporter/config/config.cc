// SPDX-License-Identifier: Apache-2.0
#include "exporter/config/config.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "exporter/config/config_file.h"
#include "exporter/config/duration.h"
#include "exporter/config/replay_flags.h"
#include "exporter/util/build_info.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

using std::chrono::nanoseconds;
using namespace std::chrono_literals;

struct DurationFlag {
  nanoseconds min;
  nanoseconds max;
  // The unit ("ms", "s") of a bare number, for flags whose ePPing name took
  // one; the others need a unit.
  const char* bare_unit = nullptr;
};

bool IsPlainNumber(const std::string& text) {
  size_t digits = 0, dots = 0;
  for (const char c : text) {
    digits += std::isdigit(static_cast<unsigned char>(c)) != 0;
    dots += c == '.';
  }
  return digits > 0 && digits + dots == text.size() && dots <= 1;
}

// A flag that takes a duration; `names` is CLI11's "--canonical,--alias,-a".
CLI::Option* AddDuration(CLI::App& app, const std::string& names, nanoseconds& target, const std::string& help,
                         DurationFlag flag) {
  const std::string name = names.substr(0, names.find(','));
  CLI::Option* option = app.add_option_function<std::string>(
      names,
      [&target, flag, name](const std::string& text) {
        const bool bare = flag.bare_unit && IsPlainNumber(text);
        const std::optional<nanoseconds> d = ParseDuration(bare ? text + flag.bare_unit : text);
        if (!d) throw CLI::ValidationError(name, "'" + text + "' is not a duration (e.g. 100ms, 1.5s, 5m)");
        if (*d < flag.min || *d > flag.max) {
          throw CLI::ValidationError(
              name, text + " is outside " + FormatDuration(flag.min) + ".." + FormatDuration(flag.max));
        }
        target = *d;
      },
      help);
  option->type_name("DURATION")->default_str(FormatDuration(target));
  return option;
}

// Only the words are accepted (CheckedTransformer would also take the
// numbers they stand for, such as "0"); each becomes its enum's number,
// which CLI11 then converts.
template <typename Enum>
CLI::Option* Words(CLI::Option* option, const std::map<std::string, Enum>& words) {
  std::string listed;
  for (const auto& entry : words) listed += (listed.empty() ? "" : ", ") + entry.first;
  const CLI::Validator only_words(
      [words, listed](std::string& text) {
        const auto word = words.find(text);
        if (word == words.end()) return text + " is not one of: " + listed;
        text = std::to_string(static_cast<long long>(word->second));
        return std::string();
      },
      listed);
  return option->transform(only_words)->type_name("WORD");
}

template <typename Enum>
CLI::Option* AddChoice(CLI::App& app, const std::string& names, Enum& target, const std::string& help,
                       const std::map<std::string, Enum>& words, const std::string& default_word) {
  return Words(app.add_option(names, target, help), words)->default_str(default_word);
}

// An empty value ("") for a name or a path is a mistake, not a default.
const CLI::Validator kNotEmpty(
    [](const std::string& text) { return text.empty() ? std::string("an empty value") : std::string(); }, "");

void AddAttachFlags(CLI::App& app, AttachOptions& a) {
  app.add_option("--attach.interface,--interface,-i", a.interfaces,
                 "Interface to monitor (repeatable); default: the one carrying the default route")
      ->check(kNotEmpty);
  app.add_option("--attach.netns", a.netns, "Named network namespace (/run/netns/NAME) holding the interfaces")
      ->check(kNotEmpty);
  AddChoice(app, "--attach.tc-mode", a.hooks.tc_mode,
            "auto: TCX links where the kernel has them, else clsact; or only tcx or clsact",
            {{"auto", TcMode::kAuto}, {"tcx", TcMode::kTcx}, {"clsact", TcMode::kClsact}}, "auto");
  AddChoice(app, "--attach.ingress-hook,--ingress-hook,-I", a.hooks.ingress,
            "Hook for ingress: tc, or xdp (loaded through libxdp)",
            {{"tc", IngressHook::kTc}, {"xdp", IngressHook::kXdp}}, "tc");
  AddChoice(app, "--attach.xdp-mode,--xdp-mode,-x", a.hooks.xdp_mode,
            "XDP attach mode: native, generic or unspecified (the kernel's choice)",
            {{"unspecified", XdpMode::kUnspecified}, {"native", XdpMode::kNative}, {"generic", XdpMode::kGeneric}},
            "unspecified");
}

void AddAggregationFlags(CLI::App& app, Config& c) {
  DatapathOptions& d = c.datapath;
  app.add_option("--aggregation.ipv4-prefix,--aggregate-subnets-v4,-4", d.ipv4_prefix_len,
                 "Prefix length grouping IPv4 remotes")
      ->check(CLI::Range(0, 32))
      ->capture_default_str();
  app.add_option("--aggregation.ipv6-prefix,--aggregate-subnets-v6,-6", d.ipv6_prefix_len,
                 "Prefix length grouping IPv6 remotes")
      ->check(CLI::Range(0, 128))
      ->capture_default_str();
  app.add_option("--aggregation.max-prefixes", d.max_prefixes,
                 "Remote prefixes (x protocol) each kernel aggregation instance holds per interval")
      ->check(CLI::Range(1u, 1u << 20))
      ->capture_default_str();
  app.add_flag("--aggregation.link-local", d.link_local,
               "Also keep per-prefix series of link-local and multicast remotes (fe80::/10, ff00::/8, "
               "169.254.0.0/16, 224.0.0.0/4)");
  AddChoice(app, "--aggregation.interface-label", c.aggregation.interface_label,
            "auto, on or off: split per-prefix series by the interface they were seen on (label interface); auto "
            "does when more than one interface is monitored",
            {{"auto", InterfaceLabel::kAuto}, {"on", InterfaceLabel::kOn}, {"off", InterfaceLabel::kOff}}, "auto");
  app.add_option("--aggregation.max-tracked-prefixes", c.aggregation.max_tracked_prefixes,
                 "Remote prefixes (x protocol) held for /metrics at most; beyond, the least recently active are "
                 "evicted, those without RTTs first")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24))
      ->capture_default_str();
  AddDuration(app, "--aggregation.interval", c.aggregation.interval,
              "How often the kernel aggregation maps are drained", {10ms, 60s});
  AddDuration(app, "--aggregation.series-expiry,--aggregate-timeout", c.aggregation.series_expiry,
              "Without traffic this long, a prefix's series are dropped (0: never; bare number: seconds)",
              {0s, 24h * 365, "s"});
  app.add_option("--histogram.buckets-per-octave", c.histogram.per_octave,
                 "Exported RTT buckets per doubling: 1, 2, 4 or 8 (8 exports every kernel bucket)")
      ->check(CLI::IsMember({1u, 2u, 4u, 8u}))
      ->capture_default_str();
}

// The histogram's bounds are seconds as doubles, the rest of the program's
// unit for them; the flags are durations like all others.
void AddHistogramBounds(CLI::App& app, nanoseconds& min, nanoseconds& max) {
  AddDuration(app, "--histogram.min", min, "Lowest exported RTT bucket bound at least", {1us, 33s});
  AddDuration(app, "--histogram.max", max, "Highest exported RTT bucket bound at most", {1us, 33600ms});
}

void AddDatapathFlags(CLI::App& app, DatapathOptions& d) {
  app.add_option("--datapath.flow-map-size", d.flow_map_size, "Flows tracked at once, at start")
      ->check(CLI::Range(16u, 1u << 24))
      ->capture_default_str();
  app.add_option("--datapath.flow-map-max-size", d.flow_map_max_size,
                 "Flows tracked at once at most: the flow map grows up to this under load (at least "
                 "--datapath.flow-map-size)")
      ->check(CLI::Range(16u, 1u << 24))
      ->capture_default_str();
  app.add_option("--datapath.timestamp-map-size", d.timestamp_map_size,
                 "Outstanding timestamps the timestamp map holds at once, at start (burst stamps, samples a flow "
                 "cannot hold)")
      ->check(CLI::Range(16u, 1u << 24))
      ->capture_default_str();
  app.add_option("--datapath.timestamp-map-max-size", d.timestamp_map_max_size,
                 "Outstanding timestamps at most: the timestamp map grows up to this under load (at least "
                 "--datapath.timestamp-map-size)")
      ->check(CLI::Range(16u, 1u << 24))
      ->capture_default_str();
  app.add_option("--datapath.events-buffer-size", d.events_buffer_bytes,
                 "Bytes of the kernel event ring buffer (a power of two, at least 4096)")
      ->check(CLI::Range(4096u, 1u << 30))
      ->capture_default_str();
}

void AddSamplingFlags(CLI::App& app, DatapathOptions& d) {
  SamplingOptions& s = d.sampling;
  AddDuration(app, "--sampling.rate-limit,--rate-limit,-r", s.rate_limit,
              "Least time between two timestamps of one flow (bare number: ms)", {0s, 1h, "ms"});
  app.add_option("--sampling.rtt-rate,--rtt-rate,-R", s.rtt_rate,
                 "Rate limit as a fraction of the flow's RTT (e.g. 0.1); 0 uses the fixed rate limit")
      ->check(CLI::Range(0.0, 10000.0))
      ->capture_default_str();
  AddChoice(app, "--sampling.rtt-type,--rtt-type,-t", s.use_smoothed_rtt,
            "RTT that the RTT rate scales: min or smoothed", {{"min", false}, {"smoothed", true}}, "min");
  app.add_option("--sampling.burst-count", s.burst_count,
                 "Extra new identifiers stamped right after a sample, in case it is never echoed")
      ->check(CLI::Range(0u, 255u))
      ->capture_default_str();
  AddDuration(app, "--sampling.burst-window", s.burst_window, "How soon after a sample burst stamps may follow",
              {0s, 10s});
  app.add_flag("--sampling.include-local,--include-local,-l", d.include_local,
               "Also report RTTs matched on egress (the local host or the network behind it)");
  app.add_flag("--sampling.include-syn,--include-SYN,-s", d.include_syn,
               "Let a SYN alone open a flow (tracks half-open flows)");
  app.add_option("--quic.ports", d.quic_ports,
                 "UDP ports whose QUIC short-header packets give RTTs from the spin bit (up to 4; 0: none)")
      ->delimiter(',')
      ->expected(1, static_cast<int>(kMaxQuicPorts))
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_flag("--tcp.retransmits,!--no-tcp.retransmits", d.track_retransmits,
               "Count retransmitted TCP segments per prefix (follows sequence numbers on every TCP flow)")
      ->capture_default_str();
}

void AddCleanupFlags(CLI::App& app, CleanupOptions& c) {
  AddDuration(app, "--cleanup.interval,--cleanup-interval,-c", c.interval,
              "How often idle flows and stale timestamps are removed (bare number: seconds)", {10ms, 10min, "s"});
  AddDuration(app, "--cleanup.tcp-timeout", c.tcp_flow_timeout, "Idle time after which a TCP flow is forgotten",
              {1s, 24h});
  AddDuration(app, "--cleanup.icmp-timeout", c.icmp_flow_timeout,
              "Idle time after which an ICMP echo pseudo-flow or a QUIC flow is forgotten", {1s, 24h});
  AddDuration(app, "--cleanup.protect-young", c.protect_young,
              "When a map is nearly full the oldest entries are evicted, never ones younger than this", {0s, 1h});
}

void AddOutputFlags(CLI::App& app, ConsoleOptions& o) {
  Words(app.add_option_function<OutputFormat>(
            "--output.format,--format,-F", [&o](const OutputFormat& format) { o.format = format; },
            "Print events too: standard, ppviz, json or jsonl (with --output.aggregate: the aggregated view)"),
        std::map<std::string, OutputFormat>{{"standard", OutputFormat::kStandard},
                                            {"ppviz", OutputFormat::kPpviz},
                                            {"json", OutputFormat::kJson},
                                            {"jsonl", OutputFormat::kJsonl}});
  app.add_option("--output.write,--write,-w", o.write_path,
                 "Write the console output to FILE (appended for line formats; SIGHUP reopens it)")
      ->check(kNotEmpty);
  AddDuration(app, "--output.aggregate,--aggregate,-a", o.aggregate,
              "Print per-prefix aggregates this often instead of events (bare number: seconds)", {1s, 24h, "s"});
}

struct Bounds {
  nanoseconds min{32us};
  nanoseconds max{8400ms};
};

void AddAllFlags(CLI::App& app, Config& c, Bounds& bounds) {
  // Every flag can also be set in a TOML file, by its long name:
  // web.listen-address = ":9789". The default '.' section separator would
  // turn the dots in our flag names into TOML sections, hence '/'.
  app.set_config("--config.file", "", "Read flags from this TOML file (keys are the long flag names)");
  app.get_config_formatter_base()->parentSeparator('/');
  // A key that names no flag (a typo) is an error, not silently ignored.
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.add_option("--web.listen-address", c.web.listen_addresses,
                 "Address to serve metrics on, [host]:port; repeat for several. No host: every IPv6 and IPv4 "
                 "address")
      ->check(kNotEmpty)
      ->allow_extra_args(false)
      ->capture_default_str();
  app.add_option("--web.telemetry-path", c.web.telemetry_path, "Path under which to expose metrics")
      ->capture_default_str();
  app.add_option("--web.config.file", c.web.config_file,
                 "Exporter toolkit web config (YAML): TLS certificate and key, client CAs, basic auth users")
      ->check(CLI::ExistingFile);
  app.add_option("--web.max-connections", c.web.max_connections,
                 "HTTP connections kept open at most; at the limit a new one replaces the one that has waited "
                 "longest for its request")
      ->check(CLI::Range(1u, 1u << 20))
      ->capture_default_str();
  AddDuration(app, "--web.read-header-timeout", c.web.read_header_timeout,
              "Time a client has to send its request head, from its first byte", {100ms, 5min});
  AddDuration(app, "--web.write-timeout", c.web.write_timeout,
              "Time a response may take, from the request to its last byte", {1s, 1h});
  AddDuration(app, "--web.idle-timeout", c.web.idle_timeout,
              "Time a kept-alive connection may wait for its next request", {100ms, 1h});
  AddChoice(app, "--log.level", c.log_level, "trace, debug, info, warn or error",
            {{"trace", LogLevel::kTrace},
             {"debug", LogLevel::kDebug},
             {"info", LogLevel::kInfo},
             {"warn", LogLevel::kWarn},
             {"error", LogLevel::kError}},
            "info");
  AddChoice(app, "--log.format", c.log_format, "logfmt or json: one line per message, as Prometheus' own logs",
            {{"logfmt", LogFormat::kLogfmt}, {"json", LogFormat::kJson}}, "logfmt");
  AddAttachFlags(app, c.attach);
  AddAggregationFlags(app, c);
  AddHistogramBounds(app, bounds.min, bounds.max);
  AddDatapathFlags(app, c.datapath);
  AddSamplingFlags(app, c.datapath);
  AddCleanupFlags(app, c.cleanup);
  AddOutputFlags(app, c.output);
  app.add_flag("--config.check", c.check_only, "Check the flags and the config file, then exit (0: valid)");
  app.set_version_flag("--version", VersionText());
}

// The value of --config.file, checked before the flag parser reads the
// file (config_file.h); "" if not given.
std::optional<std::string> ConfigFileArgument(int argc, const char* const* argv) {
  const std::string flag = "--config.file";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == flag) return i + 1 < argc ? std::string(argv[i + 1]) : std::string();
    if (arg.starts_with(flag + "=")) return arg.substr(flag.size() + 1);
  }
  return std::nullopt;
}

// An interface name the kernel could hold (dev_valid_name), printable.
std::string InterfaceNameProblem(const std::string& name) {
  if (name.size() > 15) return "longer than 15 bytes";
  if (name == "." || name == "..") return "not a name";
  for (const char c : name) {
    if (c == '/' || c == ':' || static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return "a character no interface name has";
    }
  }
  return "";
}

// A metrics path that is exact and its own: not the landing page, not
// under the health endpoints' /-/, and plain characters only (no query,
// no escapes: it is compared with the request's path as sent).
std::string TelemetryPathProblem(const std::string& path) {
  if (path.empty() || path.front() != '/') return "must start with '/'";
  if (path == "/") return "is the landing page";
  if (path.starts_with("/-/")) return "is under /-/, the health endpoints'";
  for (const char c : path) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '.' && c != '_' && c != '~' && c != '-') {
      return "may hold letters, digits and / . _ ~ - only";
    }
  }
  return "";
}

// `text` with anything unprintable escaped, to quote bad input on one line.
std::string Printable(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out += escaped;
    }
  }
  return out;
}

bool IsPowerOfTwo(unsigned v) { return v && !(v & (v - 1)); }

ParseOutcome Fail(const std::string& message) { return {std::nullopt, kUsageExitCode, message}; }

// Derives what follows from the flags and checks what CLI11 cannot.
ParseOutcome Validate(Config config, const Bounds& bounds) {
  config.histogram.min_seconds = std::chrono::duration<double>(bounds.min).count();
  config.histogram.max_seconds = std::chrono::duration<double>(bounds.max).count();
  ConsoleOptions& out = config.output;
  if (out.aggregate.count() > 0 && !out.format) out.format = OutputFormat::kStandard;
  if (out.aggregate.count() > 0 && out.format == OutputFormat::kPpviz) {
    return Fail("--output.aggregate prints standard, json or jsonl, not ppviz");
  }
  if (!out.write_path.empty() && !out.format) return Fail("--output.write needs --output.format or --output.aggregate");
  if (!IsPowerOfTwo(config.datapath.events_buffer_bytes)) {
    return Fail("--datapath.events-buffer-size must be a power of two");
  }
  if (const std::string problem = TelemetryPathProblem(config.web.telemetry_path); !problem.empty()) {
    return Fail("--web.telemetry-path " + Printable(config.web.telemetry_path) + ": " + problem);
  }
  std::set<std::string> interfaces;
  for (const std::string& name : config.attach.interfaces) {
    const std::string problem = InterfaceNameProblem(name);
    if (!problem.empty()) return Fail("--attach.interface " + Printable(name) + ": " + problem);
    if (!interfaces.insert(name).second) return Fail("--attach.interface " + name + " given twice");
  }
  if (!out.write_path.empty()) {
    const std::filesystem::path folder = std::filesystem::absolute(out.write_path).parent_path();
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) {
      return Fail("--output.write " + Printable(out.write_path) + ": no directory " + Printable(folder.string()));
    }
  }
  // Events only cost anything when they are printed one by one.
  config.datapath.emit_events = out.prints_events();
  config.datapath.replay = config.replay.has_value();
  try {
    RttBucketLayout check(config.histogram);
  } catch (const UsageError& e) {
    return Fail(e.what());
  }
  return {std::move(config), 0, ""};
}

}  // namespace

std::vector<std::string> ConfigFileKeys() {
  CLI::App app;
  Config config;
  Bounds bounds;
  AddAllFlags(app, config, bounds);
  std::vector<std::string> keys;
  for (const CLI::Option* opt : app.get_options()) {
    const std::string name = opt->get_single_name();
    if (name.empty() || name == "help" || name == "version" || name == "config.file" || name == "config.check") {
      continue;
    }
    keys.push_back(name);
  }
  return keys;
}

ParseOutcome ParseCommandLine(int argc, const char* const* argv) {
  CLI::App app{"pping_exporter: passive per-subnet network latency for Prometheus", "pping_exporter"};
  Config config;
  Bounds bounds;
  ReplayOptions replay;
  AddAllFlags(app, config, bounds);
  CLI::App* replay_command = AddReplayCommand(app, replay);
  if (const auto file = ConfigFileArgument(argc, argv)) {
    const std::string problem = ConfigFileProblem(*file);
    if (!problem.empty()) return Fail("--config.file" + (file->empty() ? "" : " " + Printable(*file)) + ": " + problem);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, replay_command->parsed() ? replay_command->help() : app.help()};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, 0, VersionText()};
  } catch (const CLI::ConfigError& e) {
    // CLI11 words a key that names no flag for its INI reader.
    const std::string what = e.what(), extra = "INI was not able to parse ";
    if (what.starts_with(extra)) return Fail("--config.file: no flag is named '" + what.substr(extra.size()) + "'");
    return Fail("--config.file: " + what);
  } catch (const CLI::ParseError& e) {
    return Fail(e.what());
  } catch (const std::exception& e) {  // a conversion no check foresaw: still bad input
    return Fail(e.what());
  }
  if (replay_command->parsed()) {
    // A replay attaches nowhere: any attach.* flag given is a mistake.
    for (const CLI::Option* option : app.get_options()) {
      const auto& names = option->get_lnames();
      const auto attach =
          std::find_if(names.begin(), names.end(), [](const std::string& n) { return n.starts_with("attach."); });
      if (option->count() > 0 && attach != names.end()) {
        return Fail("--" + *attach + ": a replay reads a capture, it attaches nowhere");
      }
    }
    config.replay = std::move(replay);
  }
  return Validate(std::move(config), bounds);
}

}  // namespace pping
