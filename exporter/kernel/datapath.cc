// SPDX-License-Identifier: Apache-2.0
#include "exporter/kernel/datapath.h"

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

#include "bpf/pping_bpf.skel.h"
#include "exporter/stats/prefix.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

constexpr unsigned kMappedIpv4Offset = 96;  // bits before a.b.c.d in ::ffff:a.b.c.d
// The kernel's smallest ring buffer: events off still need a valid map.
constexpr unsigned kIdleRingBytes = 4096;

// libbpf's lines go to debug: every failure it reports also comes back as an
// error code, which the exporter turns into one message with context.
int LogLibbpf(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG && !spdlog::should_log(spdlog::level::trace)) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof(line), format, args);
  std::string text(line, n > 0 ? std::min<size_t>(n, sizeof(line) - 1) : 0);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  spdlog::log(level == LIBBPF_DEBUG ? spdlog::level::trace : spdlog::level::debug, "libbpf: {}", text);
  return n;
}

void Resize(bpf_map* map, unsigned entries, const char* what) {
  CheckLibbpf(bpf_map__set_max_entries(map, entries), std::string("size the ") + what + " map");
}

uint64_t Nanoseconds(std::chrono::nanoseconds d) { return static_cast<uint64_t>(d.count()); }

UniqueFd ProgramFd(const bpf_program* program) { return UniqueFd::Dup(bpf_program__fd(program)); }

template <typename Ref>
Ref MapOf(const bpf_map* map) {
  return Ref::Share(bpf_map__fd(map));
}

}  // namespace

static_assert(kMaxQuicPorts == PP_QUIC_PORTS, "the config layer bounds the QUIC ports");

pp_config MakeDatapathConfig(const DatapathOptions& options) {
  if (options.ipv4_prefix_len > 32) {
    throw UsageError("IPv4 prefix length must be 0..32, got " + std::to_string(options.ipv4_prefix_len));
  }
  if (options.ipv6_prefix_len > 128) {
    throw UsageError("IPv6 prefix length must be 0..128, got " + std::to_string(options.ipv6_prefix_len));
  }
  pp_config c{};
  const Address16 v4 = PrefixMask(kMappedIpv4Offset + options.ipv4_prefix_len);
  const Address16 v6 = PrefixMask(options.ipv6_prefix_len);
  std::memcpy(c.ipv4_mask, v4.data(), v4.size());
  std::memcpy(c.ipv6_mask, v6.data(), v6.size());
  c.ipv4_prefix_len = static_cast<uint8_t>(kMappedIpv4Offset + options.ipv4_prefix_len);
  c.ipv6_prefix_len = static_cast<uint8_t>(options.ipv6_prefix_len);
  const SamplingOptions& s = options.sampling;
  c.rate_limit_ns = Nanoseconds(s.rate_limit);
  c.rtt_rate_milli = static_cast<uint32_t>(std::lround(s.rtt_rate * 1000));
  c.use_srtt = s.use_smoothed_rtt;
  c.burst_count = static_cast<uint8_t>(s.burst_count);
  c.burst_window_ns = Nanoseconds(s.burst_window);
  c.include_local = options.include_local;
  for (size_t i = 0; i < options.quic_ports.size() && i < PP_QUIC_PORTS; ++i)
    c.quic_ports[i] = htons(options.quic_ports[i]);
  c.include_syn = options.include_syn;
  c.link_local = options.link_local;
  c.per_interface = options.per_interface;
  c.track_retransmits = options.track_retransmits;
  c.emit_events = options.emit_events;
  c.replay = options.replay;
  return c;
}

void Datapath::Destroy(::pping_bpf* skeleton) { pping_bpf__destroy(skeleton); }

Datapath::Datapath(const DatapathOptions& options) : skeleton_(pping_bpf__open()) {
  if (!skeleton_) throw Error(ErrnoMessage("open the BPF datapath", errno));
  skeleton_->rodata->pp_cfg = MakeDatapathConfig(options);
  Resize(skeleton_->maps.agg_a, options.max_prefixes, "aggregation");
  Resize(skeleton_->maps.agg_b, options.max_prefixes, "aggregation");
  Resize(skeleton_->maps.flow_state, options.flow_map_size, "flow state");
  Resize(skeleton_->maps.packet_ts, options.timestamp_map_size, "timestamp");
  Resize(skeleton_->maps.events, options.emit_events ? options.events_buffer_bytes : kIdleRingBytes,
         "event ring buffer");
  CheckLibbpf(pping_bpf__load(skeleton_.get()),
              "load the BPF datapath (needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON; in a container, also "
              "a seccomp profile that allows bpf() with them: see docs/operations.md#kubernetes)");
  const auto& m = skeleton_->maps;
  flows_ = std::make_shared<FlowMaps>(MapOf<MapRef<uint32_t, uint32_t>>(m.flow_maps), MapOf<FlowMap>(m.flow_state),
                                      options.flow_map_size, MoveMode::kCopy);
  timestamps_ =
      std::make_shared<TimestampMaps>(MapOf<MapRef<uint32_t, uint32_t>>(m.stamp_maps), MapOf<TimestampMap>(m.packet_ts),
                                      options.timestamp_map_size, MoveMode::kTake);
}

Datapath::~Datapath() = default;

DatapathPrograms Datapath::Programs() const {
  const auto& p = skeleton_->progs;
  DatapathPrograms out;
  out.ethernet = {ProgramFd(p.pping_tc_ingress), ProgramFd(p.pping_tc_egress), ProgramFd(p.pping_xdp_ingress)};
  out.l3_only = {ProgramFd(p.pping_l3_ingress), ProgramFd(p.pping_l3_egress), ProgramFd(p.pping_xdp_l3)};
  return out;
}

AggregationMaps Datapath::aggregation_maps() const {
  const auto& m = skeleton_->maps;
  return {MapOf<MapRef<uint32_t, uint32_t>>(m.agg_active),
          {MapOf<AggregationMap>(m.agg_a), MapOf<AggregationMap>(m.agg_b)}};
}

GlobalCountersMap Datapath::global_counters() const {
  return MapOf<GlobalCountersMap>(skeleton_->maps.global_counters);
}
EventsMap Datapath::events() const { return MapOf<EventsMap>(skeleton_->maps.events); }

void RouteLibbpfLogToSpdlog() { libbpf_set_print(LogLibbpf); }

void TryRaiseMemlockLimit() {
  const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(RLIMIT_MEMLOCK, &unlimited) != 0) {
    spdlog::debug("{} (fine on kernels >= 5.11, which account BPF memory to the cgroup)",
                  ErrnoMessage("raise RLIMIT_MEMLOCK", errno));
  }
}

}  // namespace pping
