// SPDX-License-Identifier: Apache-2.0
#include "exporter/kernel/abi_convert.h"

#include <cstring>

namespace pping {

Address16 ToAddress16(const pp_addr& addr) {
  Address16 out{};
  std::memcpy(out.data(), addr.bytes, out.size());
  return out;
}

PrefixKey ToPrefixKey(const pp_agg_key& key) {
  const uint32_t ifindex = uint32_t{key.ifindex[0]} | uint32_t{key.ifindex[1]} << 8 | uint32_t{key.ifindex[2]} << 16;
  return {ToAddress16(key.prefix), key.prefix_len, key.proto_class, key.matched_on, key.method, key.rcode, ifindex};
}

void AddCpuCounters(GlobalCounters& sum, const pp_global_counters& cpu) {
  for (int dir = 0; dir < PP_DIRECTIONS; ++dir) {
    for (int proto = 0; proto < PP_PROTO_CLASSES; ++proto) {
      sum.ip_packets[dir][proto] += cpu.ip_packets[dir][proto];
      sum.ip_bytes[dir][proto] += cpu.ip_bytes[dir][proto];
    }
    sum.non_ip_packets[dir] += cpu.non_ip_packets[dir];
    sum.non_ip_bytes[dir] += cpu.non_ip_bytes[dir];
  }
  for (int i = 0; i < 4; ++i) sum.ecn_packets[i] += cpu.ecn_packets[i];
  sum.truncated_packets += cpu.truncated_packets;
  for (int i = 0; i < PP_MAPS; ++i) {
    sum.map_full[i] += cpu.map_full[i];
    sum.map_alloc_failed[i] += cpu.map_alloc_failed[i];
  }
  sum.rtt_samples += cpu.rtt_samples;
  for (int i = 0; i < PP_OPEN_REASONS; ++i) sum.flows_opened[i] += cpu.flows_opened[i];
  for (int i = 0; i < PP_CLOSE_REASONS; ++i) {
    for (int b = 0; b < 2; ++b) sum.flows_closed[i][b] += cpu.flows_closed[i][b];
  }
  sum.stamps_rate_limited += cpu.stamps_rate_limited;
  sum.stamps_burst += cpu.stamps_burst;
  sum.events_lost += cpu.events_lost;
  sum.dns_queries += cpu.dns_queries;
  sum.dns_late += cpu.dns_late;
  sum.echoes_implausible += cpu.echoes_implausible;
}

}  // namespace pping
