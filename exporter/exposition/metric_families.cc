// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/metric_families.h"

#include <array>
#include <string>

#include "bpf/abi/pping_abi.h"
#include "exporter/stats/names.h"
#include "exporter/util/build_info.h"

namespace pping {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

void AddCounter(MetricFamily& family, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  family.metric.push_back(std::move(metric));
}

void AddGauge(MetricFamily& family, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

// A counter family with one series per datapath map (enum pp_map_id).
MetricFamily PerMapCounter(std::string name, std::string help, const std::array<uint64_t, PP_MAPS>& values) {
  static constexpr const char* kMaps[PP_MAPS] = {"packet_ts", "flow_state", "aggregation"};
  auto family = Family(std::move(name), std::move(help), MetricType::Counter);
  for (int i = 0; i < PP_MAPS; ++i) AddCounter(family, {{"map", kMaps[i]}}, static_cast<double>(values[i]));
  return family;
}

}  // namespace

std::vector<MetricFamily> GlobalFamilies(const GlobalCounters& c) {
  static constexpr const char* kEcn[4] = {"not_ect", "ect1", "ect0", "ce"};
  auto packets =
      Family("pping_packets_total", "Packets seen by the datapath, by direction (rx: received, tx: sent) and protocol.",
             MetricType::Counter);
  auto bytes =
      Family("pping_bytes_total", "Bytes seen by the datapath, by direction (rx: received, tx: sent) and protocol.",
             MetricType::Counter);
  for (int dir = 0; dir < PP_DIRECTIONS; ++dir) {
    for (unsigned proto = 0; proto < PP_PROTO_CLASSES; ++proto) {
      const Labels labels{{"direction", DirectionName(dir)}, {"protocol", ProtoClassName(proto)}};
      AddCounter(packets, labels, static_cast<double>(c.ip_packets[dir][proto]));
      AddCounter(bytes, labels, static_cast<double>(c.ip_bytes[dir][proto]));
    }
    const Labels non_ip{{"direction", DirectionName(dir)}, {"protocol", "non_ip"}};
    AddCounter(packets, non_ip, static_cast<double>(c.non_ip_packets[dir]));
    AddCounter(bytes, non_ip, static_cast<double>(c.non_ip_bytes[dir]));
  }
  auto ecn = Family("pping_ecn_packets_total", "IP packets by ECN codepoint.", MetricType::Counter);
  for (int i = 0; i < 4; ++i) AddCounter(ecn, {{"codepoint", kEcn[i]}}, static_cast<double>(c.ecn_packets[i]));
  auto truncated =
      Family("pping_truncated_packets_total", "Packets whose headers ended early or were malformed; they give no RTT.",
             MetricType::Counter);
  AddCounter(truncated, {}, static_cast<double>(c.truncated_packets));
  auto full = PerMapCounter("pping_map_full_total", "Datapath map insertions refused because the map was full, by map.",
                            c.map_full);
  auto alloc_failed = PerMapCounter("pping_map_alloc_failures_total",
                                    "Datapath map insertions that failed because the kernel could not allocate the "
                                    "entry (a burst of new entries outran its per-CPU caches, or memory ran short), "
                                    "by map. The map was not full.",
                                    c.map_alloc_failed);
  auto samples = Family("pping_rtt_samples_total", "RTT samples taken by the datapath.", MetricType::Counter);
  AddCounter(samples, {}, static_cast<double>(c.rtt_samples));
  auto lost = Family("pping_events_lost_total",
                     "RTT and flow events dropped because the event consumer fell behind (ring buffer full).",
                     MetricType::Counter);
  AddCounter(lost, {}, static_cast<double>(c.events_lost));
  return {std::move(packets), std::move(bytes),        std::move(ecn),     std::move(truncated),
          std::move(full),    std::move(alloc_failed), std::move(samples), std::move(lost)};
}

std::vector<MetricFamily> FlowFamilies(const GlobalCounters& c, const CleanupStats& cleanup) {
  static constexpr const char* kOpen[PP_OPEN_REASONS] = {"syn", "syn_ack", "first_packet"};
  static constexpr const char* kClose[PP_CLOSE_REASONS] = {"fin", "rst", "timeout"};
  auto opened = Family("pping_flows_opened_total", "Flows the datapath started tracking, by what opened them.",
                       MetricType::Counter);
  for (int i = 0; i < PP_OPEN_REASONS; ++i) {
    AddCounter(opened, {{"reason", kOpen[i]}}, static_cast<double>(c.flows_opened[i]));
  }
  auto closed =
      Family("pping_flows_closed_total", "Flows no longer tracked, by reason and whether packets were seen both ways.",
             MetricType::Counter);
  for (int i = 0; i < PP_CLOSE_REASONS; ++i) {
    for (int both = 0; both < 2; ++both) {
      const uint64_t n = c.flows_closed[i][both] + (i == PP_CLOSE_TIMEOUT ? cleanup.flows_timed_out[both] : 0);
      AddCounter(closed, {{"reason", kClose[i]}, {"bidirectional", both ? "true" : "false"}}, static_cast<double>(n));
    }
  }
  for (int both = 0; both < 2; ++both) {
    AddCounter(closed, {{"reason", "evicted"}, {"bidirectional", both ? "true" : "false"}},
               static_cast<double>(cleanup.flows_evicted[both]));
  }
  auto resizes = Family("pping_map_resizes_total",
                        "Times the flow or timestamp map was replaced by a larger (grow) or smaller (shrink) one.",
                        MetricType::Counter);
  auto resize_seconds =
      Family("pping_map_resize_seconds_total", "Time spent replacing the flow or timestamp map and moving its entries.",
             MetricType::Counter);
  auto move_dropped =
      Family("pping_map_move_dropped_total", "Entries a replacement of the flow or timestamp map had no room for.",
             MetricType::Counter);
  for (int k = 0; k < 2; ++k) {
    const std::string map = k == 0 ? "flow_state" : "packet_ts";
    AddCounter(resizes, {{"map", map}, {"change", "grow"}}, static_cast<double>(cleanup.map_resizes[k][0]));
    AddCounter(resizes, {{"map", map}, {"change", "shrink"}}, static_cast<double>(cleanup.map_resizes[k][1]));
    AddCounter(resize_seconds, {{"map", map}}, cleanup.map_resize_seconds[k]);
    AddCounter(move_dropped, {{"map", map}}, static_cast<double>(cleanup.map_move_dropped[k]));
  }
  auto tracked = Family("pping_flows_tracked", "Flows in the flow map after the latest cleanup.", MetricType::Gauge);
  AddGauge(tracked, {}, static_cast<double>(cleanup.flows_tracked));
  auto stamps = Family("pping_timestamps_tracked",
                       "Outstanding timestamps in the timestamp map after the latest cleanup (samples that flows "
                       "hold themselves are not counted).",
                       MetricType::Gauge);
  AddGauge(stamps, {}, static_cast<double>(cleanup.timestamps_tracked));
  auto expired =
      Family("pping_timestamps_expired_total",
             "Timestamps removed unechoed after their lifetime (8 x RTT, at least 1 s).", MetricType::Counter);
  AddCounter(expired, {}, static_cast<double>(cleanup.timestamps_expired));
  auto ts_evicted =
      Family("pping_timestamps_evicted_total",
             "Outstanding timestamps evicted (oldest first) because the map was nearly full.", MetricType::Counter);
  AddCounter(ts_evicted, {}, static_cast<double>(cleanup.timestamps_evicted));
  auto skipped = Family("pping_stamps_rate_limited_total",
                        "New identifiers not stamped because of the per-flow rate limit.", MetricType::Counter);
  AddCounter(skipped, {}, static_cast<double>(c.stamps_rate_limited));
  auto burst =
      Family("pping_stamps_burst_total", "Identifiers stamped as part of a burst after a sample.", MetricType::Counter);
  AddCounter(burst, {}, static_cast<double>(c.stamps_burst));
  auto implausible = Family("pping_echoes_implausible_total",
                            "Echoes (TSecr, echo replies) beyond every identifier sent their way while a sample "
                            "waited: forged, so they were not let end that sample.",
                            MetricType::Counter);
  AddCounter(implausible, {}, static_cast<double>(c.echoes_implausible));
  auto sweeps =
      Family("pping_cleanup_sweeps_total", "Cleanup passes over the flow and timestamp maps.", MetricType::Counter);
  AddCounter(sweeps, {}, static_cast<double>(cleanup.sweeps));
  auto took = Family("pping_cleanup_duration_seconds", "Duration of the latest cleanup pass.", MetricType::Gauge);
  AddGauge(took, {}, cleanup.last_sweep_seconds);
  auto mode = Family("pping_cleanup_kernel_iterators",
                     "1 if expiry runs as BPF iterators, 0 if as a user-space sweep (kernel refused iterators).",
                     MetricType::Gauge);
  AddGauge(mode, {}, cleanup.kernel_iterators ? 1 : 0);
  return {std::move(opened),      std::move(closed),         std::move(tracked),     std::move(stamps),
          std::move(expired),     std::move(ts_evicted),     std::move(skipped),     std::move(burst),
          std::move(implausible), std::move(sweeps),         std::move(took),        std::move(mode),
          std::move(resizes),     std::move(resize_seconds), std::move(move_dropped)};
}

std::vector<MetricFamily> DnsFamilies(const GlobalCounters& c, const CleanupStats& cleanup) {
  auto queries = Family("pping_dns_queries_total",
                        "DNS queries whose response time is measured (to remote servers; local servers' too with "
                        "--sampling.include-local); a retry with the same id is not counted again.",
                        MetricType::Counter);
  AddCounter(queries, {}, static_cast<double>(c.dns_queries));
  auto unanswered =
      Family("pping_dns_queries_unanswered_total",
             "DNS queries without a response within 5 s, counted when they expire or their late response comes.",
             MetricType::Counter);
  AddCounter(unanswered, {}, static_cast<double>(cleanup.dns_expired + c.dns_late));
  return {std::move(queries), std::move(unanswered)};
}

std::vector<MetricFamily> ExporterFamilies(const ExporterHealth& health) {
  auto build = Family("pping_exporter_build_info",
                      "The exporter's version, the revision and branch it was built from, its build date, compiler "
                      "and the libbpf it runs with; always 1.",
                      MetricType::Gauge);
  const BuildInfo& b = GetBuildInfo();
  AddGauge(build,
           {{"version", b.version},
            {"revision", b.revision},
            {"branch", b.branch},
            {"build_date", b.build_date},
            {"compiler", b.compiler},
            {"libbpf", b.libbpf}},
           1);
  auto attached =
      Family("pping_interface_attached",
             "1 for each interface and hook the datapath is attached to, with the attach mode.", MetricType::Gauge);
  for (const auto& a : health.attachments.attachments) {
    AddGauge(attached, {{"interface", a.interface}, {"hook", a.hook}, {"mode", a.mode}}, 1);
  }
  auto present =
      Family("pping_interface_present", "1 while a configured interface exists and is attached, 0 while it is gone.",
             MetricType::Gauge);
  auto reattached = Family("pping_interface_reattachments_total",
                           "Times a configured interface came back and was attached again.", MetricType::Counter);
  for (const auto& i : health.attachments.interfaces) {
    AddGauge(present, {{"interface", i.interface}}, i.present ? 1 : 0);
    AddCounter(reattached, {{"interface", i.interface}}, static_cast<double>(i.reattachments));
  }
  auto capacity = Family("pping_map_capacity",
                         "Entries each datapath map holds at most now (the flow and timestamp maps grow and shrink).",
                         MetricType::Gauge);
  AddGauge(capacity, {{"map", "packet_ts"}}, static_cast<double>(health.map_sizes.packet_ts));
  AddGauge(capacity, {{"map", "flow_state"}}, static_cast<double>(health.map_sizes.flow_state));
  AddGauge(capacity, {{"map", "aggregation"}}, static_cast<double>(health.map_sizes.aggregation));
  auto capacity_max =
      Family("pping_map_capacity_max", "Entries the flow and timestamp maps may grow to (--datapath.*-map-max-size).",
             MetricType::Gauge);
  AddGauge(capacity_max, {{"map", "packet_ts"}}, static_cast<double>(health.map_sizes.packet_ts_max));
  AddGauge(capacity_max, {{"map", "flow_state"}}, static_cast<double>(health.map_sizes.flow_state_max));
  auto syncs = Family("pping_exporter_aggregation_syncs_total",
                      "Times the kernel aggregation instances were flipped and drained.", MetricType::Counter);
  AddCounter(syncs, {}, static_cast<double>(health.aggregation_syncs));
  auto prefixes = Family("pping_exporter_tracked_prefixes",
                         "Prefix/protocol series held in the exporter's cumulative state.", MetricType::Gauge);
  AddGauge(prefixes, {}, static_cast<double>(health.tracked_prefixes));
  auto limit = Family("pping_exporter_tracked_prefix_limit",
                      "Prefix/protocol series held at most (--aggregation.max-tracked-prefixes); 0: no limit.",
                      MetricType::Gauge);
  AddGauge(limit, {}, static_cast<double>(health.tracked_prefix_limit));
  auto evicted = Family("pping_exporter_tracked_prefixes_evicted_total",
                        "Prefix/protocol series dropped to make room for new ones at the limit, by whether they had "
                        "RTT samples.",
                        MetricType::Counter);
  AddCounter(evicted, {{"kind", "traffic_only"}}, static_cast<double>(health.evicted_traffic_only));
  AddCounter(evicted, {{"kind", "with_rtt"}}, static_cast<double>(health.evicted_with_rtt));
  auto errors = Family("pping_exporter_collect_errors_total", "Scrapes during which reading the kernel maps failed.",
                       MetricType::Counter);
  AddCounter(errors, {}, static_cast<double>(health.collect_errors));
  std::vector<MetricFamily> out{std::move(build),    std::move(attached),     std::move(present), std::move(reattached),
                                std::move(capacity), std::move(capacity_max), std::move(syncs),   std::move(prefixes),
                                std::move(limit),    std::move(evicted),      std::move(errors)};
  if (health.output_write_errors) {
    auto output =
        Family("pping_exporter_output_write_errors_total",
               "Writes of the console output (--output.format) that failed, e.g. a full disk.", MetricType::Counter);
    AddCounter(output, {}, static_cast<double>(*health.output_write_errors));
    out.push_back(std::move(output));
  }
  if (health.process) {
    // Named and described as Prometheus client libraries name theirs.
    const ProcessStats& p = *health.process;
    auto cpu =
        Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::Counter);
    AddCounter(cpu, {}, p.cpu_seconds);
    auto resident = Family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge);
    AddGauge(resident, {}, static_cast<double>(p.resident_bytes));
    auto virtual_memory = Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge);
    AddGauge(virtual_memory, {}, static_cast<double>(p.virtual_bytes));
    auto open_fds = Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge);
    AddGauge(open_fds, {}, static_cast<double>(p.open_fds));
    auto max_fds = Family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge);
    AddGauge(max_fds, {}, static_cast<double>(p.max_fds));
    auto start = Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                        MetricType::Gauge);
    AddGauge(start, {}, p.start_time_seconds);
    for (auto* family : {&cpu, &resident, &virtual_memory, &open_fds, &max_fds, &start}) {
      out.push_back(std::move(*family));
    }
  }
  if (health.web) {
    auto open = Family("pping_exporter_http_connections", "HTTP connections open now.", MetricType::Gauge);
    AddGauge(open, {}, static_cast<double>(health.web->open));
    auto limit = Family("pping_exporter_http_connection_limit",
                        "HTTP connections kept open at most (--web.max-connections).", MetricType::Gauge);
    AddGauge(limit, {}, static_cast<double>(health.web->limit));
    auto closed = Family("pping_exporter_http_connections_closed_total",
                         "HTTP connections closed, by reason: completed, or cut off by a limit that keeps one "
                         "client from holding up others.",
                         MetricType::Counter);
    for (const auto& [reason, count] : health.web->closed) {
      AddCounter(closed, {{"reason", reason}}, static_cast<double>(count));
    }
    auto unauthorized = Family("pping_exporter_http_unauthorized_requests_total",
                               "HTTP requests answered 401: credentials missing or wrong (--web.config.file "
                               "basic_auth_users).",
                               MetricType::Counter);
    AddCounter(unauthorized, {}, static_cast<double>(health.web->unauthorized));
    auto reloads = Family("pping_exporter_web_config_reloads_total",
                          "Times --web.config.file or a file it names changed and was read again, by result: "
                          "success, or failure (the config in force was kept).",
                          MetricType::Counter);
    AddCounter(reloads, {{"result", "success"}}, static_cast<double>(health.web->config_reloads));
    AddCounter(reloads, {{"result", "failure"}}, static_cast<double>(health.web->config_reload_failures));
    out.push_back(std::move(open));
    out.push_back(std::move(limit));
    out.push_back(std::move(closed));
    out.push_back(std::move(unauthorized));
    out.push_back(std::move(reloads));
  }
  return out;
}

}  // namespace pping
