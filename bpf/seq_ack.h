/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * RTT of TCP flows without timestamps: the time from a data segment to the
 * first ACK that covers its end, if that ACK ends exactly there. Per
 * direction `dir` of the flow, the state
 * the identifier methods use holds:
 *   last_identifier[dir] (id_known): the highest end sequence number sent,
 *   last_echo[dir] (echo_known): the highest ACK number of that data seen,
 *   sampling[dir].held_*: the one segment being timed (held_stamp.h).
 *
 * What keeps a sample honest:
 * - Only new data is timed: a segment starting below the highest sequence
 *   number sent is a retransmission, keep-alive or probe (or was reordered
 *   on the way to the hook) and is never timed. Nor is the first segment
 *   seen in a direction, which may be any of those.
 * - Karn's rule: a segment that resends bytes up to the timed one's end
 *   gives the timed sample up, since the ACK that covers it may answer the
 *   copy. Losses before the hook show the same way: the gap's bytes come
 *   again, below the highest sent.
 * - The first ACK to cover the timed segment ends its timing, but gives a
 *   sample only if it ends exactly at the segment's end. One beyond it was
 *   sent for later data (a delayed ACK of two segments, the rest of a
 *   super-packet) and would add the time between the two sends.
 * - An ACK counts only if it moves past every ACK before it (duplicate and
 *   reordered ACKs, window updates and SACKs cover nothing new) and does not
 *   acknowledge data never seen sent (forged, or the hook missed it), which
 *   is also never remembered, so it cannot hide the genuine ACKs; nor is an
 *   ACK before the first segment of the data it would acknowledge.
 * - A duplicate ACK (no data, the same ACK number again) gives the timed
 *   segment up: a later segment overtook an earlier one, and the ACK that
 *   ends the timed segment will have waited for the earlier one as well.
 * - Sequence numbers compare in serial-number arithmetic, so they wrap.
 * One segment is timed at a time, as TCP stacks themselves did before
 * timestamps: a covering ACK always ends it, so no burst is needed to make
 * up for samples that are never answered.
 */
#ifndef PPING_SEQ_ACK_H
#define PPING_SEQ_ACK_H

#include <stdbool.h>

#include "abi/pping_abi.h"
#include "clock.h"
#include "held_stamp.h"
#include "parse.h"
#include "sampling.h"

static __always_inline bool seq_after(__u32 a, __u32 b) { return (__s32)(a - b) > 0; }

/* Gives up the segment timed on `dir` if a segment starting at `seq` may
 * resend any of its bytes. (While nothing is held the identifier read is
 * stale, and give_up_held finds nothing to release.) */
static __always_inline void seq_karn(struct pp_flow_state* flow, __u32 dir, __u32 seq) {
  if (dir >= PP_DIRECTIONS || !(flow->flags & held_flag(dir))) return;
  if (seq_after(PP_READ_ONCE(flow->sampling[dir].held_identifier), seq)) give_up_held(flow, dir);
}

/* Times the segment ending at `end` if no other is timed on `dir` and the
 * rate limit allows. */
static __always_inline void seq_stamp(struct pp_flow_state* flow, __u32 dir, __u32 end, struct pp_clock* clock,
                                      struct pp_global_counters* gc) {
  __u64 now, held;

  if (dir >= PP_DIRECTIONS) return;
  now = clock_now(clock);
  held = PP_READ_ONCE(flow->sampling[dir].held_ns);
  if (held == PP_HELD_WRITING || (held && !pp_stamp_outlived(held, now, flow->rtt[dir].srtt_ns))) return;
  if (decide_stamp(&flow->sampling[dir], &flow->rtt[dir], now) != STAMP_SAMPLE) {
    gc->stamps_rate_limited++;
    return;
  }
  hold_stamp(flow, dir, end, now);
}

/* A segment of a flow without timestamps passes hook `hook`. */
static __always_inline void seq_note_segment(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook,
                                             bool stamps_here, struct pp_clock* clock, struct pp_global_counters* gc) {
  __u8 bit = 1 << hook;
  __u32 sent;

  if (hook >= PP_DIRECTIONS) return;
  if (!stamps_here) {
    /* Nothing to note; but last_seen moves only when the clock is read,
     * which data this way does once per 4 KiB boundary it crosses. */
    if ((p->seq ^ p->identifier) >> 12) clock_now(clock);
    return;
  }
  if (!(flow->id_known & bit)) {
    flow->last_identifier[hook] = p->identifier;
    flow->id_known |= bit;
    return;
  }
  sent = flow->last_identifier[hook];
  if (seq_after(sent, p->seq)) {
    if (p->can_stamp) seq_karn(flow, hook, p->seq);
    if (seq_after(p->identifier, sent)) flow->last_identifier[hook] = p->identifier;
    return;
  }
  if (p->identifier == sent) return; /* nothing new: an ACK, or a repeat */
  flow->last_identifier[hook] = p->identifier;
  if (p->can_stamp) seq_stamp(flow, hook, p->identifier, clock, gc);
}

/* The RTT of the segment timed on `stamped_on` if this ACK is the first to
 * cover it and ends exactly at its end, else 0. */
static __always_inline __u64 seq_match(const struct pp_packet* p, struct pp_flow_state* flow, __u32 stamped_on,
                                       struct pp_clock* clock) {
  struct pp_dir_sampling* d;
  __u8 bit = 1 << stamped_on;
  __u32 ack = p->echoed;
  __u64 held, now;

  if (stamped_on >= PP_DIRECTIONS) return 0;
  /* Before the data's first segment, or beyond its highest end: nothing to
   * judge the ACK by, or an ACK of data never sent. */
  if (!(flow->id_known & bit) || seq_after(ack, flow->last_identifier[stamped_on])) return 0;
  if (flow->echo_known & bit) {
    if (ack == flow->last_echo[stamped_on]) {
      /* A duplicate ACK: a segment after the timed one arrived before an
       * earlier one, and the ACK that ends the timed one will wait for the
       * earlier one too. */
      if (p->pure_ack) give_up_held(flow, stamped_on);
      return 0;
    }
    if (!seq_after(ack, flow->last_echo[stamped_on])) return 0;
  }
  flow->last_echo[stamped_on] = ack;
  if (!(flow->echo_known & bit)) flow->echo_known |= bit;
  if (!(flow->flags & held_flag(stamped_on))) return 0;
  d = &flow->sampling[stamped_on];
  held = PP_READ_ONCE(d->held_ns);
  if (held <= PP_HELD_WRITING || seq_after(PP_READ_ONCE(d->held_identifier), ack)) return 0;
  if (!release_held(flow, stamped_on, held)) return 0;
  /* Read again once the sample is this CPU's: a writer may have raced. */
  if (PP_READ_ONCE(d->held_identifier) != ack) return 0;
  now = clock_now(clock);
  if (now < held || pp_stamp_outlived(held, now, flow->rtt[stamped_on].srtt_ns)) return 0;
  return now - held;
}

/* An outgoing segment with timestamps (the local stack's choice; one
 * arriving may be forged) turns a flow to them for good. What the flow
 * noted and timed in sequence numbers is dropped, by the CPU that turned
 * it only, and only if it had any: a timestamped flow's own state stays. */
static __always_inline void seq_switch_to_timestamps(struct pp_flow_state* flow) {
  __u32 was = __sync_fetch_and_or(&flow->flags, PP_FLOW_TIMESTAMPS);

  if ((was & PP_FLOW_TIMESTAMPS) || !(was & PP_FLOW_SEQ_ACK)) return;
  for (__u32 dir = 0; dir < PP_DIRECTIONS; dir++) give_up_held(flow, dir);
  flow->id_known = 0;
  flow->echo_known = 0;
}

#endif /* PPING_SEQ_ACK_H */
