/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Why an insert into a hash map failed. A full map (E2BIG) calls for a
 * bigger map or a faster cleanup; a failed allocation (ENOMEM) does not:
 * the maps are not preallocated, and a burst of new entries can outrun the
 * kernel allocator's per-CPU caches (or memory runs short). They are
 * counted apart so that the first is not taken for the second.
 */
#ifndef PPING_INSERT_FAILURE_H
#define PPING_INSERT_FAILURE_H

#include "abi/pping_abi.h"

/* No errno.h in BPF programs. */
#define PP_E2BIG 7
#define PP_EEXIST 17

/* Counts a failed insert into map `map` (enum pp_map_id) by its error. */
static __always_inline void count_insert_failure(struct pp_global_counters* gc, __u32 map, long err) {
  if (map >= PP_MAPS) return;
  if (err == -PP_E2BIG)
    gc->map_full[map]++;
  else
    gc->map_alloc_failed[map]++;
}

#endif /* PPING_INSERT_FAILURE_H */
