// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pping datapath: thin tc entry points find the packet and its direction,
 * one core does the rest. Egress stamps new identifiers, ingress matches the
 * echoes, and every packet is counted into per-prefix and global stats.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "parse.h"
#include "pping_abi.h"
#include "rtt_histogram.h"

#define PP_EEXIST 17 /* no errno.h in BPF programs */

const volatile struct pp_config pp_cfg = {};

static const __u32 zero_index;

static __always_inline bool is_mapped_ipv4(const union pp_addr *a)
{
	return a->halves[0] == 0 && a->words[2] == bpf_htonl(0x0000ffff);
}

static __always_inline void make_agg_key(struct pp_agg_key *key,
					 const struct pp_packet *p)
{
	const union pp_addr *remote = &p->flow.remote;
	bool v4 = is_mapped_ipv4(remote);

	key->prefix.halves[0] = remote->halves[0] &
				(v4 ? pp_cfg.ipv4_mask[0] : pp_cfg.ipv6_mask[0]);
	key->prefix.halves[1] = remote->halves[1] &
				(v4 ? pp_cfg.ipv4_mask[1] : pp_cfg.ipv6_mask[1]);
	key->prefix_len = v4 ? pp_cfg.ipv4_prefix_len : pp_cfg.ipv6_prefix_len;
	key->proto_class = p->proto_class;
}

/* Looks a key up, inserting it from `init` when absent; counts a full map. */
static __always_inline void *lookup_or_insert(void *map, const void *key,
					      const void *init, __u64 *full)
{
	void *value = bpf_map_lookup_elem(map, key);
	long err;

	if (value)
		return value;
	/* EEXIST: another CPU inserted it first, which is fine. */
	err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (err && err != -PP_EEXIST) {
		__sync_fetch_and_add(full, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(map, key);
}

/* The active instance's stats for the packet's remote prefix. */
static __always_inline struct pp_agg_stats *
agg_stats_for(const struct pp_packet *p, struct pp_global_counters *gc)
{
	struct pp_agg_key key = {};
	void *instance, *zero;

	instance = bpf_map_lookup_elem(&agg_active, &zero_index);
	zero = bpf_map_lookup_elem(&agg_zero, &zero_index);
	if (!instance || !zero)
		return NULL;
	make_agg_key(&key, p);
	return lookup_or_insert(instance, &key, zero,
				&gc->map_full[PP_MAP_AGGREGATION]);
}

static __always_inline void count_global(struct pp_global_counters *gc,
					 const struct pp_packet *p, __u32 len,
					 bool egress)
{
	__u32 dir = egress ? PP_DIR_EGRESS : PP_DIR_INGRESS;
	__u32 cls = p->proto_class;

	if (cls >= PP_PROTO_CLASSES)
		return;
	gc->ip_packets[dir][cls]++;
	gc->ip_bytes[dir][cls] += len;
	gc->ecn_packets[p->ecn & 3]++;
}

/* Remembers when a new identifier left, once per identifier. */
static __always_inline void stamp(const struct pp_packet *p,
				  struct pp_flow_state *flow, __u64 now,
				  struct pp_global_counters *gc)
{
	struct pp_packet_key key = { .flow = p->flow, .identifier = p->identifier };

	/* Only the first packet with a given TSval is stamped: later ones
	 * would be echoed with the same TSecr and under-report the RTT. */
	if (flow->last_identifier == p->identifier && flow->tx_packets > 1)
		return;
	flow->last_identifier = p->identifier;
	if (bpf_map_update_elem(&packet_ts, &key, &now, BPF_NOEXIST) == 0)
		return;
	if (!bpf_map_lookup_elem(&packet_ts, &key))
		gc->map_full[PP_MAP_PACKET_TS]++;
}

static __always_inline void record_flow_rtt(struct pp_flow_state *flow, __u64 rtt)
{
	__u64 min = flow->min_rtt_ns;
	__u64 srtt = flow->srtt_ns;

	if (min == 0 || rtt < min)
		flow->min_rtt_ns = rtt;
	flow->srtt_ns = srtt ? srtt - (srtt >> 3) + (rtt >> 3) : rtt;
}

static __always_inline void record_agg_rtt(struct pp_agg_stats *agg, __u64 rtt)
{
	__u32 bucket = pp_hist_bucket(rtt / 1000);

	agg->rtt_count++;
	agg->rtt_sum_ns += rtt;
	if (agg->rtt_min_ns == 0 || rtt < agg->rtt_min_ns)
		agg->rtt_min_ns = rtt;
	if (rtt > agg->rtt_max_ns)
		agg->rtt_max_ns = rtt;
	if (bucket < PP_HIST_BUCKETS)
		agg->rtt_buckets[bucket]++;
}

/* Matches an echoed identifier against its stamp; returns the RTT or 0. */
static __always_inline __u64 match(const struct pp_packet *p, __u64 now)
{
	struct pp_packet_key key = { .flow = p->flow, .identifier = p->echoed };
	__u64 *sent = bpf_map_lookup_elem(&packet_ts, &key);
	__u64 rtt;

	if (!sent || now < *sent)
		return 0;
	rtt = now - *sent;
	/* Delete so the first echo wins; a failed delete means another CPU
	 * matched the same stamp concurrently and reports it instead. */
	if (bpf_map_delete_elem(&packet_ts, &key))
		return 0;
	return rtt;
}

static __always_inline void track_flow(const struct pp_packet *p, __u32 len,
				       bool egress, struct pp_agg_stats *agg,
				       struct pp_global_counters *gc)
{
	struct pp_flow_state init = {}, *flow;
	__u64 now = bpf_ktime_get_ns(), rtt;

	flow = lookup_or_insert(&flow_state, &p->flow, &init,
				&gc->map_full[PP_MAP_FLOW_STATE]);
	if (!flow)
		return;
	if (egress) {
		__sync_fetch_and_add(&flow->tx_packets, 1);
		__sync_fetch_and_add(&flow->tx_bytes, len);
		if (p->can_stamp)
			stamp(p, flow, now, gc);
		return;
	}
	__sync_fetch_and_add(&flow->rx_packets, 1);
	__sync_fetch_and_add(&flow->rx_bytes, len);
	if (!p->can_match)
		return;
	rtt = match(p, now);
	if (!rtt)
		return;
	record_flow_rtt(flow, rtt);
	gc->rtt_samples++;
	if (agg)
		record_agg_rtt(agg, rtt);
}

static __always_inline void pping_core(void *data, void *data_end, __u32 len,
				       bool egress)
{
	struct pp_global_counters *gc;
	struct pp_agg_stats *agg;
	struct pp_packet p = {};
	int parsed;

	gc = bpf_map_lookup_elem(&global_counters, &zero_index);
	if (!gc)
		return;
	parsed = parse_packet(data, data_end, egress, &p);
	if (parsed == PARSE_NOT_IP) {
		gc->non_ip_packets[egress]++;
		gc->non_ip_bytes[egress] += len;
		return;
	}
	if (parsed == PARSE_TRUNCATED) {
		gc->truncated_packets++;
		return;
	}
	count_global(gc, &p, len, egress);
	agg = agg_stats_for(&p, gc);
	if (agg) {
		if (egress) {
			agg->tx_packets++;
			agg->tx_bytes += len;
		} else {
			agg->rx_packets++;
			agg->rx_bytes += len;
		}
	}
	if (p.rtt_capable)
		track_flow(&p, len, egress, agg, gc);
}

/* TC_ACT_UNSPEC is also TCX_NEXT: let any later program see the packet. */
SEC("tc")
int pping_tc_ingress(struct __sk_buff *skb)
{
	pping_core((void *)(long)skb->data, (void *)(long)skb->data_end,
		   skb->len, false);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int pping_tc_egress(struct __sk_buff *skb)
{
	pping_core((void *)(long)skb->data, (void *)(long)skb->data_end,
		   skb->len, true);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
