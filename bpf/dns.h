/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * DNS response times: a query (to port 53, over UDP or TCP) is stamped in
 * packet_ts under its flow and query id; the response with that id on the
 * same flow, the other way, is matched once. No flow state is made: a stub
 * resolver uses a new source port for every query, and those must not fill
 * the flow map. A query sent again with the same id (a retry) is marked
 * PP_DNS_RETRIED, so its answer gives no sample (it may answer either
 * copy, Karn's rule again), and the query still counts as unanswered when
 * it expires unanswered (pp_packet_ts_outlived).
 */
#ifndef PPING_DNS_H
#define PPING_DNS_H

#include <stdbool.h>

#include "abi/pping_abi.h"
#include "clock.h"
#include "insert_failure.h"
#include "maps.h"
#include "parse.h"

static __always_inline void dns_key(const struct pp_packet* p, __u32 stamped_on, struct pp_packet_key* key) {
  key->flow = p->flow;
  key->identifier = p->dns_id;
  key->stamped_on = stamped_on;
  key->method = PP_METHOD_DNS;
}

static __always_inline void dns_stamp(const struct pp_packet* p, __u32 hook, struct pp_clock* clock,
                                      struct pp_global_counters* gc) {
  struct pp_packet_key key = {};
  __u64 now = clock_now(clock), first = now & ~PP_DNS_RETRIED, retried = now | PP_DNS_RETRIED;
  void *stamps, *previous;
  long err;

  dns_key(p, hook, &key);
  stamps = pp_stamps(PP_MAP_CURRENT);
  if (!stamps) return;
  /* A retry of a query stamped before a move: its stamp leaves the previous
   * map for the current one marked as retried, whether the exporter moves
   * it first (overwritten here) or not (its move then finds it taken). */
  previous = pp_stamped_before_move(&key);
  if (previous) {
    bpf_map_delete_elem(previous, &key);
    bpf_map_update_elem(stamps, &key, &retried, BPF_ANY);
    return;
  }
  err = bpf_map_update_elem(stamps, &key, &first, BPF_NOEXIST);
  if (err == 0) {
    gc->dns_queries++;
    return;
  }
  if (err == -PP_EEXIST) {
    bpf_map_update_elem(stamps, &key, &retried, BPF_EXIST);
    return;
  }
  count_insert_failure(gc, PP_MAP_PACKET_TS, err);
}

/* The response time of the query this response answers, or 0. One that
 * comes after the timeout makes its query count as unanswered. */
static __always_inline __u64 dns_match(const struct pp_packet* p, __u32 stamped_on, struct pp_clock* clock,
                                       struct pp_global_counters* gc) {
  struct pp_packet_key key = {};
  __u64 *sent, sent_ns, now;
  void* stamps;

  dns_key(p, stamped_on, &key);
  sent = pp_stamp_lookup(&key, &stamps);
  if (!sent) return 0;
  sent_ns = *sent;
  /* Only the CPU whose delete succeeds answers the query. */
  if (bpf_map_delete_elem(stamps, &key)) return 0;
  now = clock_now(clock);
  if (pp_packet_ts_outlived(&key, sent_ns, now, 0)) {
    gc->dns_late++;
    return 0;
  }
  if ((sent_ns & PP_DNS_RETRIED) || now < sent_ns) return 0;
  return now - sent_ns;
}

#endif /* PPING_DNS_H */
