/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow state and outstanding timestamps: written by the datapath, cleaned
 * by the exporter (BPF iterators in cleanup.bpf.c, which reuses these maps,
 * or a user-space sweep). Not preallocated: memory follows the entries in
 * use, besides the bucket array the kernel sizes by max_entries, which is
 * why the exporter grows the maps with the load instead of sizing them for
 * the worst case.
 */
#ifndef PPING_FLOW_MAPS_H
#define PPING_FLOW_MAPS_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "abi/pping_abi.h"

/* Outstanding identifiers waiting for their echo. Entries that are never
 * echoed are removed by the exporter's cleanup once their lifetime passes.
 * The map the datapath starts with; the exporter may swap in a larger or
 * smaller one of the same kind through stamp_maps. */
struct pp_stamp_map {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);
  __type(key, struct pp_packet_key);
  __type(value, __u64); /* bpf_ktime_get_ns() when the packet left */
};
struct pp_stamp_map packet_ts SEC(".maps");

/* Flows close on FIN/RST here, and on idleness in the exporter's cleanup.
 * Swapped like packet_ts, through flow_maps. */
struct pp_flow_map {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);
  __type(key, struct pp_flow_key);
  __type(value, struct pp_flow_state);
};
struct pp_flow_map flow_state SEC(".maps");

/*
 * Where the datapath finds those maps (enum pp_map_slot): PP_MAP_CURRENT
 * holds the map in use, PP_MAP_PREVIOUS the one it replaces while the
 * exporter moves the entries over (empty otherwise). The exporter fills
 * the previous slot before it swaps the current one, and empties it once
 * every entry is moved; an update of a slot returns only when no program
 * still holds what the slot held before. So a program that misses in the
 * current map while a move is under way finds the entry in the previous
 * one, and the previous map is never added to or changed once it is
 * previous: entries only leave it.
 */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, PP_MAP_SLOTS);
  __type(key, __u32);
  __array(values, struct pp_stamp_map);
} stamp_maps SEC(".maps") = {
    .values = {[PP_MAP_CURRENT] = &packet_ts},
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, PP_MAP_SLOTS);
  __type(key, __u32);
  __array(values, struct pp_flow_map);
} flow_maps SEC(".maps") = {
    .values = {[PP_MAP_CURRENT] = &flow_state},
};

static __always_inline void* pp_stamps(__u32 slot) { return bpf_map_lookup_elem(&stamp_maps, &slot); }
static __always_inline void* pp_flows(__u32 slot) { return bpf_map_lookup_elem(&flow_maps, &slot); }

/* During a move, the previous map if `key` is still stamped there, else
 * NULL: a new stamp of it in the current map would make two (and an
 * identifier keeps its first stamp). */
static __always_inline void* pp_stamped_before_move(const struct pp_packet_key* key) {
  void* previous = pp_stamps(PP_MAP_PREVIOUS);

  return previous && bpf_map_lookup_elem(previous, key) ? previous : NULL;
}

/* The stamp under `key`, in the current map or, during a move, the previous
 * one; `*in` is set to the map that holds it. */
static __always_inline __u64* pp_stamp_lookup(const struct pp_packet_key* key, void** in) {
  void* map = pp_stamps(PP_MAP_CURRENT);
  __u64* stamp;

  if (!map) return NULL;
  stamp = bpf_map_lookup_elem(map, key);
  if (!stamp) {
    map = pp_stamps(PP_MAP_PREVIOUS);
    if (!map) return NULL;
    stamp = bpf_map_lookup_elem(map, key);
  }
  *in = map;
  return stamp;
}

#endif /* PPING_FLOW_MAPS_H */
