/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * RTT from the QUIC spin bit (RFC 9000, 17.4; RFC 9312): in short-header
 * packets one endpoint sets the bit to the inverse of what it last
 * received, the other to what it last received, so the value seen in each
 * direction flips once per round trip. An edge (a change of the value in
 * one direction) leaving, followed by the next edge arriving, is one round
 * trip towards the remote: network RTT plus the remote's reaction time.
 * Flows are keyed by their 4-tuple, so connection IDs may change.
 *
 * Endpoints that do not spin set the bit to a constant or to random values
 * (greasing), and packets may be reordered; neither may give samples:
 * - Edges alternate between the directions: each side changes its bit
 *   only after it saw the other side's change. A change in the direction
 *   that made the last edge makes no edge (its value is ignored): a packet
 *   reordered across that edge, or a bit that is not spinning. It is a
 *   strike, and ends the run of edges.
 * - A flow samples only after PP_SPIN_TRUSTED edges in a row without a
 *   strike. A random bit strikes on about every other packet that follows
 *   an edge in the same direction, so it never gets there.
 * - Once a flow has had PP_SPIN_STRIKES strikes, more than a quarter of
 *   its edges, the bit is taken for greased and the flow gives no spin
 *   samples for good. Reordering across an edge is rare enough to stay
 *   below that. At most one strike counts per edge, so repeats of one
 *   stray or forged packet cannot mark a spinning flow greased.
 * A bit that never changes has no edges and gives nothing.
 */
#ifndef PPING_SPIN_H
#define PPING_SPIN_H

#include <stdbool.h>

#include "abi/pping_abi.h"
#include "clock.h"
#include "held_stamp.h"
#include "parse.h"

#define PP_SPIN_TRUSTED 16
#define PP_SPIN_STRIKES 8

/* Whether the last edge was in `dir`: a change there now is no edge. */
static __always_inline bool spin_same_direction(const struct pp_spin_state* s, __u32 dir) {
  return (s->last_edge & PP_SPIN_EDGE_KNOWN) && ((s->last_edge & PP_SPIN_EDGE_EGRESS) != 0) == (dir == PP_DIR_EGRESS);
}

/* At most one strike per edge: repeats of one stray (or forged) packet
 * count once. */
static __always_inline void spin_strike(struct pp_spin_state* s) {
  s->streak = 0;
  if (s->last_edge & PP_SPIN_EDGE_STRUCK) return;
  s->last_edge |= PP_SPIN_EDGE_STRUCK;
  if (s->invalid < 255) s->invalid++;
  if (s->invalid >= PP_SPIN_STRIKES && (__u32)s->invalid * 4 > s->valid) s->greased = 1;
}

static __always_inline void spin_edge(struct pp_spin_state* s, __u32 dir) {
  s->last_edge = PP_SPIN_EDGE_KNOWN | (dir == PP_DIR_EGRESS ? PP_SPIN_EDGE_EGRESS : 0);
  if (s->streak < 255) s->streak++;
  if (s->valid < 0xffff) s->valid++;
}

/* A short-header QUIC packet of a flow passes hook `hook`: the RTT its
 * edge ends, or 0. */
static __always_inline __u64 spin_packet(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook,
                                         struct pp_clock* clock) {
  struct pp_spin_state* s = &flow->spin;
  __u32 other = hook == PP_DIR_EGRESS ? PP_DIR_INGRESS : PP_DIR_EGRESS;
  __u8 bit = 1 << hook, value = p->spin;
  bool trusted;
  __u64 now, held;

  if (hook >= PP_DIRECTIONS || s->greased) return 0;
  if (!(flow->id_known & bit)) {
    flow->last_identifier[hook] = value;
    flow->id_known |= bit;
    return 0;
  }
  if (flow->last_identifier[hook] == value) return 0;
  if (spin_same_direction(s, hook)) {
    spin_strike(s);
    /* The last edge, this direction's, is in doubt: it times nothing. */
    give_up_held(flow, hook);
    return 0;
  }
  now = clock_now(clock);
  flow->last_identifier[hook] = value;
  spin_edge(s, hook);
  trusted = s->streak > PP_SPIN_TRUSTED;
  /* This edge ends the round trip the other direction's edge began... */
  held = PP_READ_ONCE(flow->sampling[other].held_ns);
  if (held > PP_HELD_WRITING && release_held(flow, other, held) && trusted && now >= held &&
      !pp_stamp_outlived(held, now, flow->rtt[other].srtt_ns)) {
    hold_stamp(flow, hook, value, now);
    return now - held;
  }
  /* ... and begins the next one. */
  hold_stamp(flow, hook, value, now);
  return 0;
}

#endif /* PPING_SPIN_H */
