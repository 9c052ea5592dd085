// SPDX-License-Identifier: Apache-2.0
#include "exporter/settings.h"

#include "exporter/config/duration.h"
#include "exporter/util/build_info.h"
#include "exporter/util/log_format.h"

namespace pping {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "none" : out;
}

const char* OnOff(bool on) { return on ? "on" : "off"; }

const char* TcModeName(TcMode mode) {
  switch (mode) {
    case TcMode::kAuto: return "auto";
    case TcMode::kTcx: return "tcx";
    case TcMode::kClsact: return "clsact";
  }
  return "auto";
}

const char* XdpModeName(XdpMode mode) {
  switch (mode) {
    case XdpMode::kUnspecified: return "unspecified";
    case XdpMode::kNative: return "native";
    case XdpMode::kGeneric: return "generic";
  }
  return "unspecified";
}

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

Settings EffectiveSettings(const Config& c, const std::vector<std::string>& interfaces,
                           const std::vector<std::string>& urls, bool tls, bool basic_auth) {
  const DatapathOptions& d = c.datapath;
  std::vector<std::string> quic_ports;
  for (const uint16_t port : d.quic_ports) quic_ports.push_back(std::to_string(port));
  Settings s{
      {"interfaces", Join(interfaces)},
      {"netns", c.attach.netns.empty() ? "own" : c.attach.netns},
      {"ingress_hook", c.attach.hooks.ingress == IngressHook::kXdp ? "xdp" : "tc"},
      {"tc_mode", TcModeName(c.attach.hooks.tc_mode)},
  };
  if (c.attach.hooks.ingress == IngressHook::kXdp) s.emplace_back("xdp_mode", XdpModeName(c.attach.hooks.xdp_mode));
  const Settings rest{
      {"metrics", Join(urls)},
      {"tls", OnOff(tls)},
      {"basic_auth", OnOff(basic_auth)},
      {"ipv4_prefix", "/" + std::to_string(d.ipv4_prefix_len)},
      {"ipv6_prefix", "/" + std::to_string(d.ipv6_prefix_len)},
      {"link_local", OnOff(d.link_local)},
      {"interface_label", OnOff(d.per_interface)},
      {"max_prefixes", std::to_string(d.max_prefixes)},
      {"max_tracked_prefixes", std::to_string(c.aggregation.max_tracked_prefixes)},
      {"aggregation_interval", FormatDuration(c.aggregation.interval)},
      {"series_expiry", FormatDuration(c.aggregation.series_expiry)},
      {"buckets_per_octave", std::to_string(c.histogram.per_octave)},
      {"sampling_rate_limit", FormatDuration(d.sampling.rate_limit)},
      {"include_local", OnOff(d.include_local)},
      {"tcp_retransmits", OnOff(d.track_retransmits)},
      {"quic_ports", Join(quic_ports)},
      {"flow_map", std::to_string(d.flow_map_size) + ".." + std::to_string(d.flow_map_max_size)},
      {"timestamp_map", std::to_string(d.timestamp_map_size) + ".." + std::to_string(d.timestamp_map_max_size)},
      {"events", OnOff(d.emit_events)},
      {"log_level", LogLevelName(c.log_level)},
  };
  s.insert(s.end(), rest.begin(), rest.end());
  return s;
}

std::string StartupLine(const Settings& settings) {
  const BuildInfo& b = GetBuildInfo();
  std::string line = "pping_exporter " + b.version + " started (branch: " + b.branch + ", revision: " + b.revision +
                     ", built " + b.build_date + ", " + b.compiler + ", libbpf " + b.libbpf + ");";
  for (const auto& [key, value] : settings) line += " " + key + "=" + LogfmtValue(value);
  return line;
}

}  // namespace pping
