// SPDX-License-Identifier: Apache-2.0
#include "exporter/datapath.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <string>

#include "bpf/pping_bpf.skel.h"
#include "exporter/error.h"

namespace pping {
namespace {

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
  CheckLibbpf(bpf_map__set_max_entries(map, entries), std::string("size ") + what + " map");
}

}  // namespace

Datapath::Datapath(const DatapathOptions& options) {
  skeleton_ = pping_bpf__open();
  if (!skeleton_) throw UsageError(ErrnoMessage("open BPF datapath", errno));
  try {
    skeleton_->rodata->pp_cfg = options.datapath;
    Resize(skeleton_->maps.agg_a, options.max_prefixes, "aggregation");
    Resize(skeleton_->maps.agg_b, options.max_prefixes, "aggregation");
    Resize(skeleton_->maps.flow_state, options.flow_map_size, "flow state");
    Resize(skeleton_->maps.packet_ts, options.timestamp_map_size, "timestamp");
    Resize(skeleton_->maps.events, options.events_buffer_bytes, "event ring buffer");
    CheckLibbpf(pping_bpf__load(skeleton_),
                "load BPF datapath (needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)");
  } catch (...) {
    pping_bpf__destroy(skeleton_);
    throw;
  }
}

Datapath::~Datapath() { pping_bpf__destroy(skeleton_); }

int Datapath::ingress_program_fd(bool l3_only) const {
  return bpf_program__fd(l3_only ? skeleton_->progs.pping_l3_ingress : skeleton_->progs.pping_tc_ingress);
}

int Datapath::egress_program_fd(bool l3_only) const {
  return bpf_program__fd(l3_only ? skeleton_->progs.pping_l3_egress : skeleton_->progs.pping_tc_egress);
}

int Datapath::xdp_ingress_program_fd(bool l3_only) const {
  return bpf_program__fd(l3_only ? skeleton_->progs.pping_xdp_l3 : skeleton_->progs.pping_xdp_ingress);
}

AggregationMapFds Datapath::aggregation_maps() const {
  return {bpf_map__fd(skeleton_->maps.agg_active),
          {bpf_map__fd(skeleton_->maps.agg_a), bpf_map__fd(skeleton_->maps.agg_b)}};
}

int Datapath::global_counters_fd() const { return bpf_map__fd(skeleton_->maps.global_counters); }
int Datapath::flow_state_fd() const { return bpf_map__fd(skeleton_->maps.flow_state); }
int Datapath::packet_ts_fd() const { return bpf_map__fd(skeleton_->maps.packet_ts); }
int Datapath::events_fd() const { return bpf_map__fd(skeleton_->maps.events); }

void RouteLibbpfLogToSpdlog() { libbpf_set_print(LogLibbpf); }

void TryRaiseMemlockLimit() {
  const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(RLIMIT_MEMLOCK, &unlimited) != 0) {
    spdlog::debug("{} (fine on kernels >= 5.11, which account BPF memory to the cgroup)",
                  ErrnoMessage("raise RLIMIT_MEMLOCK", errno));
  }
}

}  // namespace pping
