/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow state and outstanding timestamps: written by the datapath, cleaned
 * by the exporter (BPF iterators in cleanup.bpf.c, which reuses these maps,
 * or a user-space sweep). Not preallocated: memory follows the entries in
 * use, so a generous max_entries costs nothing until flows need it.
 */
#ifndef PPING_FLOW_MAPS_H
#define PPING_FLOW_MAPS_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "abi/pping_abi.h"

/* Outstanding identifiers waiting for their echo. Entries that are never
 * echoed are removed by the exporter's cleanup once their lifetime passes. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);
  __type(key, struct pp_packet_key);
  __type(value, __u64); /* bpf_ktime_get_ns() when the packet left */
} packet_ts SEC(".maps");

/* Flows close on FIN/RST here, and on idleness in the exporter's cleanup. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);
  __type(key, struct pp_flow_key);
  __type(value, struct pp_flow_state);
} flow_state SEC(".maps");

#endif /* PPING_FLOW_MAPS_H */
