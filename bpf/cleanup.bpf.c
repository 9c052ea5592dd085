// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Map cleanup as BPF iterators over flow_state and packet_ts: each element
 * is checked and deleted inside the kernel, without the three syscalls per
 * entry a user-space sweep costs. A separate object from the datapath: it
 * reaches the datapath's flow and timestamp maps through the same slots
 * (flow_maps.h), and where the kernel refuses tracing programs the
 * exporter falls back to the user-space sweep. The exporter sets `pp_cleanup_now_ns`
 * before a run (so tests can move time) and reads `pp_cleanup_result`.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <stdbool.h>

#include <bpf/bpf_helpers.h>

#include "abi/pping_abi.h"
#include "flow_maps.h"

/* Kernel types of the map-element iterator context; CO-RE relocates the
 * field offsets against the running kernel's BTF. */
struct bpf_iter_meta {
  void* seq;
  __u64 session_id;
  __u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map_elem {
  struct bpf_iter_meta* meta;
  void* map;
  void* key;
  void* value;
} __attribute__((preserve_access_index));

const volatile struct pp_cleanup_config pp_cleanup_cfg = {};
__u64 pp_cleanup_now_ns = 0;
struct pp_cleanup_result pp_cleanup_result = {};

static __always_inline bool elapsed_more_than(__u64 since, __u64 limit) {
  __u64 now = pp_cleanup_now_ns;

  return now > since && now - since > limit;
}

SEC("iter/bpf_map_elem")
int pping_cleanup_flows(struct bpf_iter__bpf_map_elem* ctx) {
  const __u32 both = PP_FLOW_SEEN_INGRESS | PP_FLOW_SEEN_EGRESS;
  struct pp_flow_key* key = ctx->key;
  struct pp_flow_state* flow = ctx->value;
  struct pp_flow_key copy;
  void* flows;
  __u64 timeout;

  if (!key || !flow) return 0;
  timeout = key->ip_proto == IPPROTO_TCP ? pp_cleanup_cfg.tcp_timeout_ns : pp_cleanup_cfg.icmp_timeout_ns;
  if (!elapsed_more_than(flow->last_seen_ns, timeout)) {
    pp_cleanup_result.flows_kept++;
    return 0;
  }
  copy = *key; /* the iterator's key buffer is read-only for helpers */
  /* The map iterated is the current one: the exporter runs the iterators
   * only between moves. */
  flows = pp_flows(PP_MAP_CURRENT);
  if (flows && bpf_map_delete_elem(flows, &copy) == 0)
    pp_cleanup_result.flows_timed_out[(flow->flags & both) == both]++;
  return 0;
}

SEC("iter/bpf_map_elem")
int pping_cleanup_timestamps(struct bpf_iter__bpf_map_elem* ctx) {
  struct pp_packet_key* key = ctx->key;
  __u64* stamped = ctx->value;
  struct pp_flow_state* flow;
  struct pp_packet_key copy;
  void *flows, *stamps;
  __u64 srtt = 0;

  if (!key || !stamped) return 0;
  copy = *key;
  /* A DNS query's lifetime is fixed: no flow to look up. */
  flows = pp_flows(PP_MAP_CURRENT);
  stamps = pp_stamps(PP_MAP_CURRENT);
  if (!flows || !stamps) return 0;
  flow = copy.method == PP_METHOD_DNS ? NULL : bpf_map_lookup_elem(flows, &copy.flow);
  if (flow && copy.stamped_on < PP_DIRECTIONS) srtt = flow->rtt[copy.stamped_on].srtt_ns;
  if (!pp_packet_ts_outlived(&copy, *stamped, pp_cleanup_now_ns, srtt)) {
    pp_cleanup_result.timestamps_kept++;
    return 0;
  }
  if (bpf_map_delete_elem(stamps, &copy) == 0) {
    pp_cleanup_result.timestamps_expired++;
    if (copy.method == PP_METHOD_DNS) pp_cleanup_result.dns_expired++;
  }
  return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
