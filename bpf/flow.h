/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow lifecycle: which packet may open flow state, and FIN/RST closing.
 * Opening and closing are each counted exactly once: only the CPU whose
 * insert (BPF_NOEXIST) or delete succeeded counts it.
 */
#ifndef PPING_FLOW_H
#define PPING_FLOW_H

#include <stdbool.h>

#include "abi/pping_abi.h"
#include "clock.h"
#include "config.h"
#include "events.h"
#include "insert_failure.h"
#include "maps.h"
#include "parse.h"

/* How long after a RST its flow's segments still in flight are kept from
 * opening it again: they arrive within about one RTT. */
#define PP_RESET_LINGER_NS 2000000000ULL

/* Whether a TCP segment of an untracked flow may open it after a RST closed
 * it: 1 yes, 0 no, -1 no RST lately. Only the RST's peer has segments in
 * flight after it; the side that sent a genuine RST sends nothing more on
 * those ports until a new handshake. So the sender talking again means the
 * RST was forged, and its flow is tracked again at once. */
static __always_inline int open_after_reset(const struct pp_packet* p, bool egress, struct pp_clock* clock) {
  struct pp_reset_mark* mark = bpf_map_lookup_elem(&recently_reset, &p->flow);
  __u64 now;

  if (!mark) return -1;
  now = clock_now(clock);
  if (now < mark->reset_ns || now - mark->reset_ns >= PP_RESET_LINGER_NS) return -1;
  return mark->from_egress == egress;
}

/* Why this packet may open a flow, or -1 if it may not. */
static __always_inline int open_reason(const struct pp_packet* p, bool egress, struct pp_clock* clock) {
  __u8 f = p->tcp_flags;
  int after_reset;

  /* A QUIC flow opens on our own side's packet: any UDP packet can look
   * like a short header, and spoofed ones must not fill the flow map. */
  if (p->quic) return egress ? PP_OPEN_FIRST_PACKET : -1;
  if (p->flow.ip_proto != IPPROTO_TCP) return PP_OPEN_FIRST_PACKET;
  if (f & (PP_TCP_FIN | PP_TCP_RST)) return -1;
  if ((f & PP_TCP_SYN) && (f & PP_TCP_ACK)) return PP_OPEN_SYN_ACK;
  /* A SYN alone may be spoofed: tracking it invites SYN floods to fill
   * the flow map with half-open flows, so it is opt-in. */
  if (f & PP_TCP_SYN) return pp_cfg.include_syn ? PP_OPEN_SYN : -1;
  after_reset = open_after_reset(p, egress, clock);
  if (after_reset >= 0) return after_reset ? PP_OPEN_FIRST_PACKET : -1;
  /* Closing packets (above) and bare ACKs (e.g. the last ACK after both
   * FINs) must not resurrect a flow that was just closed. */
  if (p->pure_ack) return -1;
  return PP_OPEN_FIRST_PACKET;
}

/* During a move to another flow map, a flow not copied yet: copied now
 * (the previous map is no longer written, so its entry is the flow's
 * latest state), so it is updated in the current map from here on. */
static __always_inline struct pp_flow_state* moved_flow(void* flows, const struct pp_flow_key* key) {
  void* previous = pp_flows(PP_MAP_PREVIOUS);
  struct pp_flow_state* old;

  if (!previous) return NULL;
  old = bpf_map_lookup_elem(previous, key);
  if (!old) return NULL;
  /* EEXIST: the exporter or another CPU copied it meanwhile. */
  bpf_map_update_elem(flows, key, old, BPF_NOEXIST);
  return bpf_map_lookup_elem(flows, key);
}

static __always_inline struct pp_flow_state* lookup_or_open_flow(const struct pp_packet* p, struct pp_clock* clock,
                                                                 bool egress, struct pp_global_counters* gc) {
  void* flows = pp_flows(PP_MAP_CURRENT);
  struct pp_flow_state *flow, *init;
  __u32 zero = 0;
  int reason;
  long err;

  if (!flows) return NULL;
  flow = bpf_map_lookup_elem(flows, &p->flow);
  if (flow) return flow;
  flow = moved_flow(flows, &p->flow);
  if (flow) return flow;
  reason = open_reason(p, egress, clock);
  if (reason < 0 || reason >= PP_OPEN_REASONS) return NULL;
  /* Built in a per-CPU scratch value: too large for the stack, which the
   * rest of the datapath needs. */
  init = bpf_map_lookup_elem(&flow_scratch, &zero);
  if (!init) return NULL;
  __builtin_memset(init, 0, sizeof(*init));
  init->open_reason = reason;
  /* Opened by our own side's segment with timestamps: a timestamped flow
   * from the start (seq_ack.h). */
  if (egress && p->flow.ip_proto == IPPROTO_TCP && p->method == PP_METHOD_IDENTIFIER) init->flags = PP_FLOW_TIMESTAMPS;
  init->last_seen_ns = clock_now(clock);
  err = bpf_map_update_elem(flows, &p->flow, init, BPF_NOEXIST);
  if (err == 0) {
    gc->flows_opened[reason]++;
    emit_flow_event(&p->flow, PP_FLOW_OPENING, reason, egress, init->last_seen_ns, gc);
  } else if (err != -PP_EEXIST) {
    count_insert_failure(gc, PP_MAP_FLOW_STATE, err);
    return NULL;
  }
  return bpf_map_lookup_elem(flows, &p->flow);
}

static __always_inline void close_flow(const struct pp_packet* p, const struct pp_flow_state* flow, int reason,
                                       bool egress, struct pp_clock* clock, struct pp_global_counters* gc) {
  const __u32 both = PP_FLOW_SEEN_INGRESS | PP_FLOW_SEEN_EGRESS;
  bool bidirectional = (flow->flags & both) == both;
  void *flows = pp_flows(PP_MAP_CURRENT), *previous = pp_flows(PP_MAP_PREVIOUS);

  if (reason < 0 || reason >= PP_CLOSE_REASONS || !flows) return;
  /* During a move, also from the previous map, which the exporter copies
   * from: a closed flow must not come back. */
  if (previous) bpf_map_delete_elem(previous, &p->flow);
  if (bpf_map_delete_elem(flows, &p->flow) == 0) {
    gc->flows_closed[reason][bidirectional]++;
    emit_flow_event(&p->flow, PP_FLOW_CLOSING, reason, egress, clock_now(clock), gc);
  }
}

/* RST closes at once; FIN once both sides have sent one. */
static __always_inline void maybe_close_flow(const struct pp_packet* p, struct pp_flow_state* flow, bool egress,
                                             struct pp_clock* clock, struct pp_global_counters* gc) {
  const __u32 both_fins = PP_FLOW_FIN_INGRESS | PP_FLOW_FIN_EGRESS;

  if (p->tcp_flags & PP_TCP_RST) {
    struct pp_reset_mark mark = {.reset_ns = clock_now(clock), .from_egress = egress};

    /* Before the delete: a segment racing the RST on another CPU finds
     * either the flow or the mark. */
    bpf_map_update_elem(&recently_reset, &p->flow, &mark, BPF_ANY);
    close_flow(p, flow, PP_CLOSE_RST, egress, clock, gc);
    return;
  }
  if (!(p->tcp_flags & PP_TCP_FIN)) return;
  __sync_fetch_and_or(&flow->flags, egress ? PP_FLOW_FIN_EGRESS : PP_FLOW_FIN_INGRESS);
  /* Both CPUs may see both FINs; close_flow's delete settles who counts. */
  if ((flow->flags & both_fins) == both_fins) close_flow(p, flow, PP_CLOSE_FIN, egress, clock, gc);
}

#endif /* PPING_FLOW_H */
