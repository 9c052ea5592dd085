/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's maps. Sizes here are defaults; the exporter resizes them
 * from its flags before load. The flow maps live in flow_maps.h, which the
 * cleanup object shares.
 */
#ifndef PPING_MAPS_H
#define PPING_MAPS_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "abi/pping_abi.h"
#include "flow_maps.h"

/* One aggregation instance: per-CPU stats of each active remote prefix.
 * Not preallocated: every entry costs one value per possible CPU, so a
 * preallocated instance would pin max_entries x CPUs values whatever the
 * traffic (docs/design.md, "Kernel memory"). Entries are made
 * for the prefixes active in an interval; a drain resets those still
 * active to zero (so the next interval finds them) and deletes those that
 * stayed quiet for a whole interval of their instance. */
struct pp_agg_map {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 4096);
  __type(key, struct pp_agg_key);
  __type(value, struct pp_agg_stats);
};

struct pp_agg_map agg_a SEC(".maps");
struct pp_agg_map agg_b SEC(".maps");

/*
 * The instance the datapath writes. The exporter swaps the slot to the other
 * instance; that map-in-map update returns only after every program that
 * might still hold the old instance has finished, so the old one can be
 * drained without losing an update.
 */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 1);
  __type(key, __u32);
  __array(values, struct pp_agg_map);
} agg_active SEC(".maps") = {
    .values = {[0] = &agg_a},
};

/* A zeroed value to insert new prefixes from: too large for the stack. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct pp_agg_stats);
} agg_zero SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct pp_global_counters);
} global_counters SEC(".maps");

/* With per_interface: the ifindex of the packet the program on this CPU is
 * handling, for its aggregation keys. Kept here, not in struct pp_packet:
 * a field there, copied along every path, multiplied the verifier's
 * states. A program runs on one CPU to its end, and the packet hooks do
 * not nest on a CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} packet_ifindex SEC(".maps");

/* Where a new flow's state is built before its insert, per CPU: a program
 * runs on one CPU to its end, and the packet hooks do not nest on a CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct pp_flow_state);
} flow_scratch SEC(".maps");

/* A TCP flow a RST closed lately: when, and which hook the RST passed. */
struct pp_reset_mark {
  __u64 reset_ns;
  __u32 from_egress;
  __u32 pad;
};

/* Segments still in flight after a RST must not open its flow again
 * (flow.h). An LRU map, so a burst of resets only shortens how long the
 * oldest are remembered. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, struct pp_flow_key);
  __type(value, struct pp_reset_mark);
} recently_reset SEC(".maps");

/* RTT and flow events for the per-event output; only written when
 * pp_cfg.emit_events is set. A full buffer drops (and counts) events:
 * the datapath never waits for the consumer. */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 20);
} events SEC(".maps");

#endif /* PPING_MAPS_H */
