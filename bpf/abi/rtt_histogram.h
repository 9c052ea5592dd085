/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * RTT histogram bucket math, shared verbatim by the BPF datapath (value to
 * bucket) and the exporter (bucket to upper bound), so the two can never
 * disagree about where a bucket ends. Layout: see PP_HIST_* in pping_abi.h.
 */
#ifndef PPING_RTT_HISTOGRAM_H
#define PPING_RTT_HISTOGRAM_H

#include "pping_abi.h"

#ifdef __bpf__
#define PP_INLINE static __always_inline
#else
#define PP_INLINE static inline
#endif

/* Index of the highest set bit; BPF has no count-leading-zeros instruction. */
PP_INLINE __u32 pp_highest_bit(__u64 v) {
  __u32 bit = 0;

  if (v >> 32) {
    v >>= 32;
    bit += 32;
  }
  if (v >> 16) {
    v >>= 16;
    bit += 16;
  }
  if (v >> 8) {
    v >>= 8;
    bit += 8;
  }
  if (v >> 4) {
    v >>= 4;
    bit += 4;
  }
  if (v >> 2) {
    v >>= 2;
    bit += 2;
  }
  if (v >> 1) {
    bit += 1;
  }
  return bit;
}

/* Bucket holding an RTT of `us` microseconds. */
PP_INLINE __u32 pp_hist_bucket(__u64 us) {
  __u32 exponent, sub;

  if (us < PP_HIST_LINEAR_BUCKETS) return (__u32)us;
  exponent = pp_highest_bit(us);
  if (exponent > PP_HIST_MAX_EXPONENT) return PP_HIST_BUCKETS - 1;
  sub = (__u32)(us >> (exponent - PP_HIST_SUB_BITS)) & (PP_HIST_SUB_BUCKETS - 1);
  return PP_HIST_LINEAR_BUCKETS + (exponent - 4) * PP_HIST_SUB_BUCKETS + sub;
}

/* Exclusive upper bound of a bucket in microseconds; 0 means unbounded. */
PP_INLINE __u64 pp_hist_upper_bound_us(__u32 bucket) {
  __u32 exponent, sub;

  if (bucket < PP_HIST_LINEAR_BUCKETS) return bucket + 1;
  if (bucket >= PP_HIST_BUCKETS - 1) return 0;
  exponent = 4 + (bucket - PP_HIST_LINEAR_BUCKETS) / PP_HIST_SUB_BUCKETS;
  sub = (bucket - PP_HIST_LINEAR_BUCKETS) % PP_HIST_SUB_BUCKETS;
  return (__u64)(PP_HIST_SUB_BUCKETS + sub + 1) << (exponent - PP_HIST_SUB_BITS);
}

#endif /* PPING_RTT_HISTOGRAM_H */
