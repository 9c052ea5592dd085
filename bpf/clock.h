/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The time, read at most once per packet and only by packets that need it.
 * Most packets of a busy flow repeat the identifier and the echo of the packet
 * before (a TCP TSval ticks once per millisecond), and those need no time at
 * all: skipping the clock read is a large share of their cost.
 *
 * A replayed packet brings its own time (its capture timestamp), which
 * stands for the clock. The choice is made in .rodata before load, so live
 * programs keep only the clock read: the verifier drops the other branch.
 */
#ifndef PPING_CLOCK_H
#define PPING_CLOCK_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

struct pp_clock {
  __u64 ns;    /* 0 until read */
  __u64 given; /* the packet's own time when replayed; else 0 */
};

static __always_inline __u64 clock_now(struct pp_clock* c) {
  if (!c->ns) c->ns = c->given ? c->given : bpf_ktime_get_ns();
  return c->ns;
}

#endif /* PPING_CLOCK_H */
