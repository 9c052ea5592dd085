/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The regular sample a flow holds itself (pp_dir_sampling.held_*), so that
 * most samples never touch the timestamp map: one sample is taken per
 * rate-limit interval, and it is usually echoed before the next one is due.
 * With many flows, that saves each sample a cold packet_ts bucket on the way
 * out and a lookup and delete on the way back. Burst stamps, a sample due
 * while the held one is still outstanding, and a sample on a closing packet
 * (its flow may be gone before the echo) go to packet_ts.
 *
 * The stamping hook and the echoing hook may run on two CPUs at once. They
 * claim the sample only through held_ns, by compare-and-swap: a writer moves
 * it from free (0, or a sample past its lifetime) to PP_HELD_WRITING, writes
 * the identifier, then publishes the time; a matcher moves it from the time
 * it read to 0. So one echo at most reports a held sample. The matcher reads
 * the identifier again once the sample is its own: a writer that raced it
 * can only cost that sample, never pair an identifier with another's time.
 * The PP_FLOW_HELD_* flag only spares echoes the look at held_ns while
 * nothing is held; a race that clears it early costs one sample too.
 */
#ifndef PPING_HELD_STAMP_H
#define PPING_HELD_STAMP_H

#include <stdbool.h>

#include "abi/pping_abi.h"
#include "clock.h"

#define PP_READ_ONCE(x) (*(const volatile __typeof__(x)*)&(x))
#define PP_WRITE_ONCE(x, v) (*(volatile __typeof__(x)*)&(x) = (v))

static __always_inline __u32 held_flag(__u32 dir) { return PP_FLOW_DIR_FLAG(PP_FLOW_HELD_INGRESS, dir); }

/* Holds `identifier`, stamped on `dir` at `now`, if the flow holds no live
 * sample there; false if the stamp must go to packet_ts instead. */
static __always_inline bool hold_stamp(struct pp_flow_state* flow, __u32 dir, __u32 identifier, __u64 now) {
  struct pp_dir_sampling* d;
  __u64 held;

  if (dir >= PP_DIRECTIONS) return false;
  d = &flow->sampling[dir];
  held = PP_READ_ONCE(d->held_ns);
  if (held == PP_HELD_WRITING || (held && !pp_stamp_outlived(held, now, flow->rtt[dir].srtt_ns))) return false;
  if (__sync_val_compare_and_swap(&d->held_ns, held, PP_HELD_WRITING) != held) return false;
  PP_WRITE_ONCE(d->held_identifier, identifier);
  /* A full barrier: the identifier is visible before the time is. */
  __sync_val_compare_and_swap(&d->held_ns, PP_HELD_WRITING, now);
  if (!(flow->flags & held_flag(dir))) __sync_fetch_and_or(&flow->flags, held_flag(dir));
  return true;
}

/* Takes the held sample away from other CPUs; false if one took it first. */
static __always_inline bool release_held(struct pp_flow_state* flow, __u32 dir, __u64 held) {
  if (__sync_val_compare_and_swap(&flow->sampling[dir].held_ns, held, 0) != held) return false;
  __sync_fetch_and_and(&flow->flags, ~held_flag(dir));
  return true;
}

/* Gives up whatever sample is held on `dir`. */
static __always_inline void give_up_held(struct pp_flow_state* flow, __u32 dir) {
  __u64 held;

  if (dir >= PP_DIRECTIONS || !(flow->flags & held_flag(dir))) return;
  held = PP_READ_ONCE(flow->sampling[dir].held_ns);
  if (held > PP_HELD_WRITING) release_held(flow, dir, held);
}

/* Whether `echoed` could echo an identifier sent on `dir`: none beyond
 * the newest sent that way (with the bare ACKs' lead) can be genuine.
 * Read only where an echo would end something: its state is the stamping
 * side's, on a cache line the echoing CPU otherwise leaves alone. A
 * global function: verified once on its own, not again in every state of
 * its callers. */
__attribute__((noinline)) int pp_echo_plausible(const struct pp_flow_state* flow, __u32 dir, __u32 echoed) {
  __u32 bound;

  if (!flow || dir >= PP_DIRECTIONS || !(flow->id_known & (1 << dir))) return 0;
  bound = flow->last_identifier[dir] + flow->sampling[dir].ack_lead;
  return (__s32)(echoed - bound) <= 0;
}

/* The RTT of the sample held on `dir` if `echoed` is its identifier, else
 * 0. A held sample the echoes have passed can no longer be echoed (TSecr
 * and echo sequences grow), and one past its lifetime no longer counts: the
 * echo that finds either releases it, if it is plausible. Any packet may
 * be forged: an echo beyond every identifier sent must not take a sample
 * that the genuine echo still needs, and sets `*implausible` instead. */
static __always_inline __u64 match_held(struct pp_flow_state* flow, __u32 dir, __u32 echoed, bool* implausible,
                                        struct pp_clock* clock) {
  struct pp_dir_sampling* d;
  __u64 held, now;

  if (dir >= PP_DIRECTIONS || !(flow->flags & held_flag(dir))) return 0;
  d = &flow->sampling[dir];
  held = PP_READ_ONCE(d->held_ns);
  if (held <= PP_HELD_WRITING) return 0;
  if ((__s32)(echoed - PP_READ_ONCE(d->held_identifier)) < 0) return 0; /* an older echo: the held one may still come */
  if (echoed != PP_READ_ONCE(d->held_identifier) && !pp_echo_plausible(flow, dir, echoed)) {
    *implausible = true;
    return 0;
  }
  if (!release_held(flow, dir, held)) return 0;
  if (PP_READ_ONCE(d->held_identifier) != echoed) return 0;
  now = clock_now(clock);
  if (now < held || pp_stamp_outlived(held, now, flow->rtt[dir].srtt_ns)) return 0;
  return now - held;
}

#endif /* PPING_HELD_STAMP_H */
