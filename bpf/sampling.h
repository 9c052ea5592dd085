/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Which identifiers get stamped. Only the first packet carrying a new
 * identifier may be stamped (later packets with the same TSval would be
 * echoed as well and under-report the RTT; pping.bpf.c tells new ones from
 * repeats with the flow's last_identifier); beyond that, a per-flow rate
 * limit — fixed, or a fraction of the flow's RTT — bounds the map traffic.
 * A short burst of extra stamps right after a sample covers the case where
 * the sampled identifier is never echoed (a delayed ACK echoes the older
 * of the two segments it acknowledges).
 */
#ifndef PPING_SAMPLING_H
#define PPING_SAMPLING_H

#include <stdbool.h>

#include "abi/pping_abi.h"
#include "config.h"

enum stamp_decision {
  STAMP_RATE_LIMITED, /* new, but too soon after the last sample */
  STAMP_SAMPLE,       /* new and due: a regular sample */
  STAMP_BURST,        /* new, too soon, but inside the burst window */
};

/* The RTT is only read where it scales the limit: it sits on another
 * cache line than the sampling block. */
static __always_inline __u64 rate_limit_ns(const struct pp_dir_rtt* r) {
  __u64 rtt;

  if (!pp_cfg.rtt_rate_milli) return pp_cfg.rate_limit_ns;
  rtt = pp_cfg.use_srtt ? r->srtt_ns : r->min_rtt_ns;
  return rtt ? rtt * pp_cfg.rtt_rate_milli / 1000 : pp_cfg.rate_limit_ns;
}

/* Updates the direction's sampling state for a new identifier seen at `now`. */
static __always_inline int decide_stamp(struct pp_dir_sampling* d, const struct pp_dir_rtt* r, __u64 now) {
  bool never_stamped = d->last_stamp_ns == 0;

  if (never_stamped || now - d->last_stamp_ns >= rate_limit_ns(r)) {
    d->last_stamp_ns = now;
    d->burst_left = pp_cfg.burst_count;
    return STAMP_SAMPLE;
  }
  if (d->burst_left && now - d->last_stamp_ns < pp_cfg.burst_window_ns) {
    d->burst_left--;
    return STAMP_BURST;
  }
  return STAMP_RATE_LIMITED;
}

/* Folds a new RTT into the direction's minimum and smoothed RTT. */
static __always_inline void record_dir_rtt(struct pp_dir_rtt* d, __u64 rtt) {
  __u64 min = d->min_rtt_ns, srtt = d->srtt_ns;

  /* Two CPUs may race here; the loser's sample only misses the
   * minimum for one update, which the next smaller sample repairs. */
  if (min == 0 || rtt < min) d->min_rtt_ns = rtt;
  d->srtt_ns = srtt ? srtt - (srtt >> 3) + (rtt >> 3) : rtt;
}

#endif /* PPING_SAMPLING_H */
