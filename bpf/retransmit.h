/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Retransmitted TCP segments, per direction of a flow, counted into the
 * remote prefix's stats (pp_agg_stats.*_retransmits). Per direction `dir`,
 * sampling[dir].sent_end holds the highest end sequence number sent that
 * way, written by that direction's hook only. The first segment of a
 * direction sets it: a SYN its sequence number + 1, a segment without data
 * the sender's next sequence number, so that a flow seen from its middle
 * knows resent data from its first data segment on.
 *
 * A segment that carries data or a FIN is a retransmission when it starts
 * below that end: the sender sends those sequence numbers again. Not
 * counted:
 * - keep-alives: one byte, one below the end (what stacks send to probe an
 *   idle peer; a resent last segment of one byte looks the same), and
 *   segments that carry nothing;
 * - a timestamped segment whose TSval is older than the last one sent that
 *   way: it was sent before a later segment, so it was reordered on the way
 *   to the hook, not sent again (a retransmission is sent after all the
 *   data it follows, so its TSval is never older). Segments reordered
 *   within one tick of the sender's timestamp clock, and in flows without
 *   timestamps, do count;
 * - SYNs and RSTs.
 * A segment lost before the hook leaves a gap; the retransmission that fills
 * it starts below the end and counts as well. A GSO/GRO super-packet counts
 * the segments it stands for, those below the end only where it reaches
 * past it.
 *
 * Spurious retransmissions (RFC 3522, Eifel), of what the local side sends:
 * a retransmission with timestamps, while none awaits its check, keeps its
 * first sequence number and TSval. The first ACK arriving that covers that
 * sequence number tells whether it was needed: if it echoes an older TSval,
 * the ACK was sent for the original, which arrived after all, and the
 * segments retransmitted until that ACK count as spurious (after a timeout,
 * all that was in flight is resent; in a recovery that also resends a lost
 * segment, that one counts spurious too). A spurious retransmission sent
 * within one timestamp tick of its original echoes an equal TSval and is
 * not told. Arriving retransmissions are not judged: the ACK for their
 * original left before they reached the hook, and the local receiver echoes
 * the copy's TSval (RFC 7323, 4.3). A check whose covering ACK the hook
 * cannot see (it missed data sent) is dropped once the end runs
 * PP_RETX_WINDOW past it.
 *
 * What a forged segment can do: arriving segments count, and move the end,
 * only once the local side's end is known and if they acknowledge what it
 * sent (at most PP_RETX_WINDOW below its end), so a blind sender must guess
 * the local sequence space; one that passes moves the end by at most
 * PP_RETX_WINDOW, which bounds what it makes genuine segments look resent.
 * A segment that carries on exactly at the end is taken without the check
 * (it needs an exact guess). An ACK that settles an Eifel check must cover
 * the retransmission and acknowledge nothing unsent.
 */
#ifndef PPING_RETRANSMIT_H
#define PPING_RETRANSMIT_H

#include <stdbool.h>

#include "abi/pping_abi.h"
#include "parse.h"
#include "seq_ack.h"

/* The bytes in flight trusted of a sender: how far below the local side's
 * end the ACK of an arriving segment may be, how far one arriving segment
 * may move the remote side's end, how far the local end may run past an
 * Eifel check before it is dropped. */
#define PP_RETX_WINDOW (4U << 20)

static __always_inline __u32 sent_known_flag(__u32 dir) { return PP_FLOW_DIR_FLAG(PP_FLOW_SENT_KNOWN_INGRESS, dir); }

/* Whether a segment arriving from the remote acknowledges what the local
 * side sent. Until that is known nothing arriving is judged: whatever came
 * first would set the end the genuine segments are judged by. */
static __always_inline bool retx_acks_local_data(const struct pp_packet* p, const struct pp_flow_state* flow) {
  __u32 behind;

  if (!(p->tcp_flags & PP_TCP_ACK) || !(flow->flags & PP_FLOW_SENT_KNOWN_EGRESS)) return false;
  behind = flow->sampling[PP_DIR_EGRESS].sent_end - p->ack;
  return (__s32)behind >= 0 && behind <= PP_RETX_WINDOW;
}

static __always_inline void count_retransmits(struct pp_agg_stats* agg, __u32 dir, __u32 segments) {
  if (!agg) return;
  if (dir == PP_DIR_EGRESS)
    agg->tx_retransmits += segments;
  else
    agg->rx_retransmits += segments;
}

/* The segments of a super-packet of `segments` from `seq` to `end` that lie
 * below `sent`, rounded up: the resent part of one that reaches past it. */
static __always_inline __u32 resent_segments(__u32 segments, __u32 seq, __u32 end, __u32 sent) {
  __u64 resent = sent - seq, length = end - seq;

  if (segments <= 1 || !seq_after(end, sent) || !length) return segments;
  return (__u32)((segments * resent + length - 1) / length);
}

/* Arms the Eifel check with the local side's retransmission at `seq` with
 * TSval `tsval`, or adds to the one armed. Only the egress hook writes
 * these fields, whose CPU sends one socket's segments in turn. */
static __always_inline void retx_eifel_arm(const struct pp_packet* p, struct pp_flow_state* flow, __u32 sent,
                                           __u32 segments) {
  struct pp_dir_sampling* r = &flow->sampling[PP_DIR_EGRESS];

  if (flow->flags & PP_FLOW_EIFEL) {
    /* One whose ACK the hook cannot see would block every later check. */
    if (sent - flow->eifel_seq <= PP_RETX_WINDOW) {
      if (r->eifel_segments < 0xffff - segments) r->eifel_segments += segments;
      return;
    }
    __sync_fetch_and_and(&flow->flags, ~PP_FLOW_EIFEL);
  }
  flow->eifel_seq = p->seq;
  flow->eifel_tsval = p->identifier;
  r->eifel_segments = segments < 0xffff ? segments : 0xffff;
  __sync_fetch_and_or(&flow->flags, PP_FLOW_EIFEL);
}

/* A segment sent through hook `dir`. `timestamps`: its identifier is a
 * TSval that `newest`, the last one sent that way before it, can be
 * compared with. */
static __always_inline void retx_note_segment(const struct pp_packet* p, struct pp_flow_state* flow, __u32 dir,
                                              bool timestamps, __u32 newest, __u32 segments, struct pp_agg_stats* agg) {
  struct pp_dir_sampling* r;
  __u32 sent;

  if (dir >= PP_DIRECTIONS) return;
  if (dir == PP_DIR_INGRESS && !retx_acks_local_data(p, flow)) return;
  r = &flow->sampling[dir];
  if (!(flow->flags & sent_known_flag(dir))) {
    r->sent_end = p->seq_end + (p->tcp_flags & PP_TCP_SYN ? 1 : 0);
    __sync_fetch_and_or(&flow->flags, sent_known_flag(dir));
    return;
  }
  if (p->seq_end == p->seq || (p->tcp_flags & PP_TCP_SYN)) return; /* sends nothing new */
  sent = r->sent_end;
  if (seq_after(p->seq_end, sent)) {
    if (dir == PP_DIR_INGRESS && p->seq_end - sent > PP_RETX_WINDOW) return; /* too far ahead to trust */
    r->sent_end = p->seq_end;
  }
  if (!seq_after(sent, p->seq)) return;                                                 /* new data */
  if (p->seq_end == sent && p->seq + 1 == sent && !(p->tcp_flags & PP_TCP_FIN)) return; /* a keep-alive */
  if (timestamps && seq_after(newest, p->identifier)) return;
  segments = resent_segments(segments, p->seq, p->seq_end, sent);
  count_retransmits(agg, dir, segments);
  if (timestamps && dir == PP_DIR_EGRESS) retx_eifel_arm(p, flow, sent, segments);
}

/* An arriving ACK with timestamps: settles the Eifel check if it covers
 * the retransmission. */
static __always_inline void retx_eifel_ack(const struct pp_packet* p, struct pp_flow_state* flow,
                                           struct pp_agg_stats* agg) {
  __u32 was;

  if (!seq_after(p->ack, flow->eifel_seq) || seq_after(p->ack, flow->sampling[PP_DIR_EGRESS].sent_end)) return;
  was = __sync_fetch_and_and(&flow->flags, ~PP_FLOW_EIFEL);
  /* Another CPU may have settled it first. */
  if (!(was & PP_FLOW_EIFEL)) return;
  if (agg && seq_after(flow->eifel_tsval, p->echoed))
    agg->tx_spurious_retransmits += flow->sampling[PP_DIR_EGRESS].eifel_segments;
}

/* The common case, inline: a segment that carries on exactly where its
 * direction's data ended, while no retransmission awaits its check, only
 * moves the end (a blind sender would have to guess that sequence number
 * exactly). False for any other segment. */
static __always_inline bool retx_continues(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook) {
  struct pp_dir_sampling* s;

  if (hook >= PP_DIRECTIONS || p->seq_end == p->seq || (p->tcp_flags & (PP_TCP_SYN | PP_TCP_RST))) return false;
  if ((flow->flags & (sent_known_flag(hook) | PP_FLOW_EIFEL)) != sent_known_flag(hook)) return false;
  s = &flow->sampling[hook];
  if (p->seq != s->sent_end) return false;
  s->sent_end = p->seq_end;
  return true;
}

/* Whether a TCP segment passing `hook` has anything for
 * track_retransmits: data or a FIN, the first sequence number of its
 * direction, or an arriving ACK while a retransmission waits for one. Most
 * segments of a bulk transfer's ACK direction have none. */
static __always_inline bool retx_concerns(const struct pp_packet* p, const struct pp_flow_state* flow, bool egress) {
  __u32 flags = flow->flags;

  return p->seq_end != p->seq || !(flags & sent_known_flag(egress ? PP_DIR_EGRESS : PP_DIR_INGRESS)) ||
         (!egress && (flags & PP_FLOW_EIFEL));
}

/* pp_track_retransmits's `how` (a global function takes at most five
 * arguments): the hook, whether the segment's identifier is a TSval that
 * `newest`, the last one sent that way before it, is comparable with,
 * and above PP_RETX_SEGMENTS_SHIFT the TCP segments the packet stands for
 * (a GSO/GRO super-packet's count; 0 for one). */
#define PP_RETX_EGRESS 1
#define PP_RETX_TIMESTAMPS 2
#define PP_RETX_SEGMENTS_SHIFT 16

/* `skb`: tc's packet, NULL on XDP, where every packet is one segment. */
static __always_inline __u32 retx_how(const struct __sk_buff* skb, bool egress, bool timestamps) {
  __u32 segments = skb ? skb->gso_segs & 0xffff : 0;

  return (segments << PP_RETX_SEGMENTS_SHIFT) | (egress ? PP_RETX_EGRESS : 0) | (timestamps ? PP_RETX_TIMESTAMPS : 0);
}

/* A TCP segment of a tracked flow that retx_concerns, with
 * track_retransmits. A global function: verified once on its own, not again
 * in every state the rest of the datapath leaves. Its pointers are checked,
 * as the verifier requires of one. */
__attribute__((noinline)) int pp_track_retransmits(const struct pp_packet* p, struct pp_flow_state* flow, __u32 how,
                                                   __u32 newest, struct pp_agg_stats* agg) {
  __u32 hook = how & PP_RETX_EGRESS ? PP_DIR_EGRESS : PP_DIR_INGRESS;
  bool timestamps = how & PP_RETX_TIMESTAMPS;
  __u32 segments = how >> PP_RETX_SEGMENTS_SHIFT;

  if (!p || !flow) return 0;
  if (p->tcp_flags & PP_TCP_RST) return 0;
  if (hook == PP_DIR_INGRESS && timestamps && p->can_match && (flow->flags & PP_FLOW_EIFEL))
    retx_eifel_ack(p, flow, agg);
  retx_note_segment(p, flow, hook, timestamps, newest, segments ? segments : 1, agg);
  return 0;
}

#endif /* PPING_RETRANSMIT_H */
