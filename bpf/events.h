/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Pushing RTT and flow events to the ring buffer, when enabled. */
#ifndef PPING_EVENTS_H
#define PPING_EVENTS_H

#include <linux/bpf.h>
#include <stdbool.h>

#include <bpf/bpf_helpers.h>

#include "abi/pping_abi.h"
#include "config.h"
#include "maps.h"
#include "parse.h"

/* `method`: enum pp_rtt_method; PP_METHOD_DNS reports a response time. */
static __always_inline void emit_rtt_event(const struct pp_packet* p, const struct pp_flow_state* flow,
                                           __u32 stamped_on, __u8 method, __u64 rtt, __u64 now,
                                           struct pp_global_counters* gc) {
  struct pp_rtt_event e = {};
  bool egress_stamp = stamped_on == PP_DIR_EGRESS;

  if (!pp_cfg.emit_events) return;
  e.hdr.type = PP_EVENT_RTT;
  e.hdr.timestamp_ns = now;
  e.hdr.flow = p->flow;
  e.rtt_ns = rtt;
  e.match_on_egress = !egress_stamp;
  e.method = method;
  if (flow && stamped_on < PP_DIRECTIONS) {
    e.min_rtt_ns = flow->rtt[stamped_on].min_rtt_ns;
    /* "Sent" is the direction whose identifiers were stamped. */
    e.sent_packets = egress_stamp ? flow->tx_packets : flow->rx_packets;
    e.sent_bytes = egress_stamp ? flow->tx_bytes : flow->rx_bytes;
    e.rec_packets = egress_stamp ? flow->rx_packets : flow->tx_packets;
    e.rec_bytes = egress_stamp ? flow->rx_bytes : flow->tx_bytes;
  }
  if (bpf_ringbuf_output(&events, &e, sizeof(e), 0)) gc->events_lost++;
}

static __always_inline void emit_flow_event(const struct pp_flow_key* key, __u8 kind, __u8 reason, bool from_egress,
                                            __u64 now, struct pp_global_counters* gc) {
  struct pp_flow_event e = {};

  if (!pp_cfg.emit_events) return;
  e.hdr.type = PP_EVENT_FLOW;
  e.hdr.timestamp_ns = now;
  e.hdr.flow = *key;
  e.kind = kind;
  e.reason = reason;
  e.from_egress = from_egress;
  if (bpf_ringbuf_output(&events, &e, sizeof(e), 0)) gc->events_lost++;
}

#endif /* PPING_EVENTS_H */
