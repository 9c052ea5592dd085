// SPDX-License-Identifier: Apache-2.0
#include "exporter/global_counters.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <vector>

#include "exporter/error.h"

namespace pping {

void GlobalCounters::Add(const pp_global_counters& cpu) {
  for (int dir = 0; dir < PP_DIRECTIONS; ++dir) {
    for (int proto = 0; proto < PP_PROTO_CLASSES; ++proto) {
      ip_packets[dir][proto] += cpu.ip_packets[dir][proto];
      ip_bytes[dir][proto] += cpu.ip_bytes[dir][proto];
    }
    non_ip_packets[dir] += cpu.non_ip_packets[dir];
    non_ip_bytes[dir] += cpu.non_ip_bytes[dir];
  }
  for (int i = 0; i < 4; ++i) ecn_packets[i] += cpu.ecn_packets[i];
  truncated_packets += cpu.truncated_packets;
  for (int i = 0; i < PP_MAPS; ++i) {
    map_full[i] += cpu.map_full[i];
    map_alloc_failed[i] += cpu.map_alloc_failed[i];
  }
  rtt_samples += cpu.rtt_samples;
  for (int i = 0; i < PP_OPEN_REASONS; ++i) flows_opened[i] += cpu.flows_opened[i];
  for (int i = 0; i < PP_CLOSE_REASONS; ++i) {
    for (int b = 0; b < 2; ++b) flows_closed[i][b] += cpu.flows_closed[i][b];
  }
  stamps_rate_limited += cpu.stamps_rate_limited;
  stamps_burst += cpu.stamps_burst;
  events_lost += cpu.events_lost;
}

GlobalCountersReader MakeBpfGlobalCountersReader(int map_fd) {
  const int cpus = CheckLibbpf(libbpf_num_possible_cpus(), "count possible CPUs");
  static_assert(sizeof(pp_global_counters) % 8 == 0, "per-CPU values are 8-byte strided");
  return [map_fd, cpus] {
    std::vector<pp_global_counters> values(cpus);
    const uint32_t key = 0;
    if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) {
      throw Error(ErrnoMessage("read global counters", errno));
    }
    GlobalCounters sum;
    for (const auto& cpu : values) sum.Add(cpu);
    return sum;
  };
}

}  // namespace pping
