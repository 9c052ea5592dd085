// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pping datapath: thin tc entry points find the packet and its direction,
 * one core does the rest. A packet may stamp the identifier it carries and
 * match the identifier it echoes; every packet is counted into per-prefix and
 * global stats. By default only egress stamps and ingress matches (the RTT
 * towards the remote); include_local adds the reverse (the local side's RTT).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_helpers.h>

#include "abi/pping_abi.h"
#include "abi/rtt_histogram.h"
#include "clock.h"
#include "config.h"
#include "dns.h"
#include "events.h"
#include "flow.h"
#include "held_stamp.h"
#include "insert_failure.h"
#include "maps.h"
#include "parse.h"
#include "retransmit.h"
#include "sampling.h"
#include "seq_ack.h"
#include "spin.h"

const volatile struct pp_config pp_cfg = {};

static const __u32 zero_index;

/* last_seen decides timeouts of seconds: 1 ms precision is ample, and
 * rarer writes keep its cache line shared between the two hooks' CPUs. */
#define PP_LAST_SEEN_GRANULARITY_NS 1000000ULL

static __always_inline bool is_mapped_ipv4(const union pp_addr* a) {
  return a->halves[0] == 0 && a->words[2] == bpf_htonl(0x0000ffff);
}

/* Link-local and multicast remotes (fe80::/10, ff00::/8, 169.254.0.0/16,
 * 224.0.0.0/4: neighbour discovery, mDNS, ...) belong to no one's subnet:
 * left out of the per-prefix series unless asked for. */
static __always_inline bool is_link_scope(const union pp_addr* a, bool v4) {
  if (v4) return (a->bytes[12] == 169 && a->bytes[13] == 254) || (a->bytes[12] & 0xf0) == 0xe0;
  return a->bytes[0] == 0xff || (a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80);
}

/* Looks a key up, inserting it from `init` when absent; counts a failed
 * insert against map `map_id`. */
static __always_inline void* lookup_or_insert(void* map, const void* key, const void* init,
                                              struct pp_global_counters* gc, __u32 map_id) {
  void* value = bpf_map_lookup_elem(map, key);
  long err;

  if (value) return value;
  /* EEXIST: another CPU inserted it first, which is fine. */
  err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
  if (err && err != -PP_EEXIST) {
    count_insert_failure(gc, map_id, err);
    return NULL;
  }
  return bpf_map_lookup_elem(map, key);
}

/* The active instance's stats for the packet's remote prefix. */
static __always_inline struct pp_agg_stats* agg_stats_for(const struct pp_packet* p, __u8 matched_on, __u8 method,
                                                          struct pp_global_counters* gc) {
  const union pp_addr* remote = &p->flow.remote;
  bool v4 = is_mapped_ipv4(remote);
  struct pp_agg_key key = {};
  struct pp_agg_stats* stats;
  void *instance, *zero;

  if (!pp_cfg.link_local && is_link_scope(remote, v4)) return NULL;
  instance = bpf_map_lookup_elem(&agg_active, &zero_index);
  if (!instance) return NULL;
  key.prefix.halves[0] = remote->halves[0] & (v4 ? pp_cfg.ipv4_mask[0] : pp_cfg.ipv6_mask[0]);
  key.prefix.halves[1] = remote->halves[1] & (v4 ? pp_cfg.ipv4_mask[1] : pp_cfg.ipv6_mask[1]);
  key.prefix_len = v4 ? pp_cfg.ipv4_prefix_len : pp_cfg.ipv6_prefix_len;
  key.proto_class = p->proto_class;
  key.matched_on = matched_on;
  key.method = method;
  key.rcode = method == PP_METHOD_DNS ? p->dns_rcode : 0;
  if (pp_cfg.per_interface) {
    const __u32* ifindex = bpf_map_lookup_elem(&packet_ifindex, &zero_index);
    if (ifindex) {
      key.ifindex[0] = *ifindex & 0xff;
      key.ifindex[1] = (*ifindex >> 8) & 0xff;
      key.ifindex[2] = (*ifindex >> 16) & 0xff;
    }
  }
  stats = bpf_map_lookup_elem(instance, &key);
  if (stats) return stats; /* the common case: no zero template needed */
  zero = bpf_map_lookup_elem(&agg_zero, &zero_index);
  if (!zero) return NULL;
  return lookup_or_insert(instance, &key, zero, gc, PP_MAP_AGGREGATION);
}

static __always_inline void count_global(struct pp_global_counters* gc, const struct pp_packet* p, __u32 len,
                                         __u32 hook) {
  __u32 cls = p->proto_class;

  if (cls >= PP_PROTO_CLASSES || hook >= PP_DIRECTIONS) return;
  gc->ip_packets[hook][cls]++;
  gc->ip_bytes[hook][cls] += len;
  gc->ecn_packets[p->ecn & 3]++;
}

static __always_inline void count_prefix_traffic(struct pp_agg_stats* agg, __u32 len, bool egress) {
  if (egress) {
    agg->tx_packets++;
    agg->tx_bytes += len;
  } else {
    agg->rx_packets++;
    agg->rx_bytes += len;
  }
}

static __always_inline __u32 stamp_open_flag(__u32 stamped_on) {
  return PP_FLOW_DIR_FLAG(PP_FLOW_STAMP_OPEN_INGRESS, stamped_on);
}

/* Stamps the packet's new identifier, if sampling allows: in the flow
 * (held_stamp.h) where it can, else in packet_ts. */
static __always_inline void stamp(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook, __u64 now,
                                  struct pp_global_counters* gc) {
  struct pp_packet_key key = {};
  void* stamps;
  int decision;
  long err;

  if (hook >= PP_DIRECTIONS) return;
  decision = decide_stamp(&flow->sampling[hook], &flow->rtt[hook], now);
  if (decision == STAMP_RATE_LIMITED) {
    gc->stamps_rate_limited++;
    return;
  }
  if (decision == STAMP_BURST) gc->stamps_burst++;
  if (decision == STAMP_SAMPLE && !(p->tcp_flags & (PP_TCP_FIN | PP_TCP_RST)) &&
      hold_stamp(flow, hook, p->identifier, now))
    return;
  key.flow = p->flow;
  key.identifier = p->identifier;
  key.stamped_on = hook;
  stamps = pp_stamps(PP_MAP_CURRENT);
  if (!stamps || pp_stamped_before_move(&key)) return;
  err = bpf_map_update_elem(stamps, &key, &now, BPF_NOEXIST);
  if (err == 0) {
    flow->sampling[hook].last_stamped = p->identifier;
    __sync_fetch_and_or(&flow->flags, stamp_open_flag(hook));
    return;
  }
  /* EEXIST: the identifier is stamped already (a repeat after a
   * reordering, or another CPU first): the first stamp stays. */
  if (err != -PP_EEXIST) count_insert_failure(gc, PP_MAP_PACKET_TS, err);
}

static __always_inline void record_agg_rtt(struct pp_agg_stats* agg, __u64 rtt) {
  __u32 bucket = pp_hist_bucket(rtt / 1000);

  agg->rtt_count++;
  agg->rtt_sum_ns += rtt;
  if (agg->rtt_min_ns == 0 || rtt < agg->rtt_min_ns) agg->rtt_min_ns = rtt;
  if (rtt > agg->rtt_max_ns) agg->rtt_max_ns = rtt;
  if (bucket < PP_HIST_BUCKETS) agg->rtt_buckets[bucket]++;
}

/* Matches the echoed identifier against the stamp made in the opposite
 * direction; returns the RTT, or 0 if there is none. */
static __always_inline __u64 match(const struct pp_packet* p, __u32 stamped_on, __u64 now) {
  struct pp_packet_key key = {};
  void* stamps = NULL;
  __u64 *sent, rtt;

  key.flow = p->flow;
  key.identifier = p->echoed;
  key.stamped_on = stamped_on;
  sent = pp_stamp_lookup(&key, &stamps);
  if (!sent || now < *sent) return 0;
  rtt = now - *sent;
  /* Delete so the first echo wins; a failed delete means another CPU
   * matched the same stamp concurrently and reports it instead. */
  if (bpf_map_delete_elem(stamps, &key)) return 0;
  return rtt;
}

/* Whether `value` differs from the one remembered for direction `dir` in
 * `last` (valid where its bit in `known` is set); remembers it. */
static __always_inline bool remember_if_new(__u32* last, __u8* known, __u32 dir, __u32 value) {
  __u8 bit = 1 << dir;

  if (dir >= PP_DIRECTIONS) return false;
  if ((*known & bit) && last[dir] == value) return false;
  last[dir] = value;
  if (!(*known & bit)) *known |= bit;
  return true;
}

/* A bare ACK's TSval, which the peer may echo though it is never stamped:
 * how far it runs ahead of the identifiers stamped widens what a genuine
 * echo may be. It is written when the lead grows. A global function,
 * verified once on its own. */
__attribute__((noinline)) int pp_note_ack_lead(struct pp_flow_state* flow, __u32 hook, __u32 identifier) {
  __u32 ahead;

  if (!flow || hook >= PP_DIRECTIONS || !(flow->id_known & (1 << hook))) return 0;
  ahead = identifier - flow->last_identifier[hook];
  if ((__s32)ahead <= 0) return 0;
  if (ahead > 255) ahead = 255;
  if (ahead > flow->sampling[hook].ack_lead) flow->sampling[hook].ack_lead = ahead;
  return 0;
}

/* Whether a stamp the echo could match may be outstanding. Echoes grow
 * (TSecr in serial-number order, echo sequences): once an echo at or past
 * the newest stamp was looked up, the later echoes have nothing left to
 * match until the next stamp. An echo that arrives reordered behind a newer
 * one loses its sample; every other echo is spared a timestamp lookup.
 * Only a plausible echo closes the stamps: a forged one beyond them sets
 * `*implausible` and leaves them open for the genuine echo. */
static __always_inline bool echo_may_match(struct pp_flow_state* flow, __u32 stamped_on, __u32 echoed,
                                           bool* implausible) {
  __u32 open = stamp_open_flag(stamped_on);

  if (stamped_on >= PP_DIRECTIONS || !(flow->flags & open)) return false;
  if ((__s32)(echoed - flow->sampling[stamped_on].last_stamped) >= 0) {
    if (pp_echo_plausible(flow, stamped_on, echoed)) {
      __sync_fetch_and_and(&flow->flags, ~open);
    } else {
      *implausible = true;
    }
  }
  return true;
}

/* Counts an RTT measured by a packet passing `hook`: in the flow, the
 * events and the prefix's histogram. */
static __always_inline void report_rtt(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook, __u64 rtt,
                                       struct pp_clock* clock, struct pp_agg_stats* agg,
                                       struct pp_global_counters* gc) {
  __u32 stamped_on = hook == PP_DIR_INGRESS ? PP_DIR_EGRESS : PP_DIR_INGRESS;

  /* The flow may already be closed (the echo of a FIN): the sample
   * still counts, only the flow's own RTT state is gone. */
  if (flow) record_dir_rtt(&flow->rtt[stamped_on], rtt);
  emit_rtt_event(p, flow, stamped_on, p->method, rtt, clock_now(clock), gc);
  gc->rtt_samples++;
  /* Local RTTs (matched on egress) and other methods than the identifier
   * one get their own aggregation key; `agg` is the traffic's. */
  if (hook == PP_DIR_EGRESS || p->method != PP_METHOD_IDENTIFIER) agg = agg_stats_for(p, hook, p->method, gc);
  if (agg) record_agg_rtt(agg, rtt);
}

static __always_inline void match_and_record(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook,
                                             struct pp_clock* clock, struct pp_agg_stats* agg,
                                             struct pp_global_counters* gc) {
  __u32 stamped_on = hook == PP_DIR_INGRESS ? PP_DIR_EGRESS : PP_DIR_INGRESS;
  bool implausible = false;
  __u64 rtt = 0;

  /* A stamp precedes its first echo: a repeated echo cannot match. */
  if (flow && !remember_if_new(flow->last_echo, &flow->echo_known, stamped_on, p->echoed)) return;
  if (flow) {
    bool look_up;

    rtt = match_held(flow, stamped_on, p->echoed, &implausible, clock);
    look_up = rtt || echo_may_match(flow, stamped_on, p->echoed, &implausible);
    /* Counted once, however many things it was kept from ending. */
    if (implausible) gc->echoes_implausible++;
    if (!look_up) return;
  }
  if (!rtt) rtt = match(p, stamped_on, clock_now(clock));
  if (rtt) report_rtt(p, flow, hook, rtt, clock, agg, gc);
}

/* A QUIC short-header packet (spin.h). It reads the clock even without an
 * edge: a flow whose bit never spins has nothing else to keep it alive. */
static __always_inline void track_spin(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook,
                                       struct pp_clock* clock, struct pp_agg_stats* agg,
                                       struct pp_global_counters* gc) {
  __u64 rtt = spin_packet(p, flow, hook, clock);

  clock_now(clock);
  if (rtt && (hook == PP_DIR_INGRESS || pp_cfg.include_local)) report_rtt(p, flow, hook, rtt, clock, agg, gc);
}

/* A segment of a TCP flow without timestamps (seq_ack.h). */
static __always_inline void track_seq_ack(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook,
                                          struct pp_clock* clock, struct pp_agg_stats* agg,
                                          struct pp_global_counters* gc) {
  bool egress = hook == PP_DIR_EGRESS;
  __u32 stamped_on = egress ? PP_DIR_INGRESS : PP_DIR_EGRESS;
  __u64 rtt;

  if (!(flow->flags & PP_FLOW_SEQ_ACK)) __sync_fetch_and_or(&flow->flags, PP_FLOW_SEQ_ACK);
  seq_note_segment(p, flow, hook, egress || pp_cfg.include_local, clock, gc);
  if (!p->can_match || (egress && !pp_cfg.include_local)) return;
  rtt = seq_match(p, flow, stamped_on, clock);
  if (rtt) report_rtt(p, flow, hook, rtt, clock, agg, gc);
}

/* Per-flow packet and byte counts only feed the events. Without events
 * (the Prometheus-only configuration) they are not kept at all, so the
 * flow state stays read-mostly and the ingress and egress CPUs stop
 * bouncing its cache line on every packet. Plain adds, as ePPing: two
 * CPUs updating one flow at once may lose an increment. */
static __always_inline void count_flow_traffic(struct pp_flow_state* flow, __u32 len, bool egress) {
  if (egress) {
    flow->tx_packets++;
    flow->tx_bytes += len;
  } else {
    flow->rx_packets++;
    flow->rx_bytes += len;
  }
}

/* A new identifier is noted even where it is not stamped (ingress, unless
 * include_local): it is what refreshes last_seen for flows that only send
 * identifiers through that hook. */
static __always_inline void note_and_stamp(const struct pp_packet* p, struct pp_flow_state* flow, __u32 hook,
                                           struct pp_clock* clock, struct pp_global_counters* gc) {
  /* Arriving identifiers are stamped only with include_local. */
  bool stamps = hook == PP_DIR_EGRESS || pp_cfg.include_local;
  __u64 now;

  if (!p->can_stamp) {
    /* The lead matters only while a sample of this side waits for its
     * echo (the next identifier stamped starts it anew): only then is the
     * function called and the stamping side's cache line read. */
    if (p->pure_ack && stamps && hook < PP_DIRECTIONS && (flow->flags & (held_flag(hook) | stamp_open_flag(hook))))
      pp_note_ack_lead(flow, hook, p->identifier);
    return;
  }
  if (!remember_if_new(flow->last_identifier, &flow->id_known, hook, p->identifier)) return;
  now = clock_now(clock); /* read even where nothing is stamped */
  if (!stamps) return;
  /* The new identifier is at least as new as the bare ACKs before it. */
  if (flow->sampling[hook & 1].ack_lead) flow->sampling[hook & 1].ack_lead = 0;
  stamp(p, flow, hook, now, gc);
}

/* last_seen only decides timeouts of seconds. It moves when the packet read
 * the clock anyway: it opened the flow, carried a new identifier (an active
 * flow does at least once per TSval tick, 1 ms to 1 s, or echo request) or
 * had its echo looked up. */
static __always_inline void refresh_last_seen(struct pp_flow_state* flow, const struct pp_clock* clock) {
  if (clock->ns && clock->ns - flow->last_seen_ns > PP_LAST_SEEN_GRANULARITY_NS) flow->last_seen_ns = clock->ns;
}

static __always_inline void track_flow(const struct pp_packet* p, struct __sk_buff* skb, __u32 len, bool egress,
                                       struct pp_agg_stats* agg, struct pp_global_counters* gc) {
  __u32 hook = egress ? PP_DIR_EGRESS : PP_DIR_INGRESS;
  __u32 seen = egress ? PP_FLOW_SEEN_EGRESS : PP_FLOW_SEEN_INGRESS;
  struct pp_clock clock = {};
  bool identifiers = p->method == PP_METHOD_IDENTIFIER;
  struct pp_flow_state* flow;
  __u32 newest = 0;

  clock.given = p->given_ns;
  flow = lookup_or_open_flow(p, &clock, egress, gc);
  if (flow) {
    if (!(flow->flags & seen)) __sync_fetch_and_or(&flow->flags, seen);
    if (pp_cfg.emit_events) count_flow_traffic(flow, len, egress);
    if (p->method == PP_METHOD_SEQ_ACK) {
      /* Segments without timestamps in a flow that has them (its RSTs):
       * only the lifecycle below. */
      if (!(flow->flags & PP_FLOW_TIMESTAMPS)) track_seq_ack(p, flow, hook, &clock, agg, gc);
    } else if (p->quic) {
      track_spin(p, flow, hook, &clock, agg, gc);
    } else if (p->flow.ip_proto == IPPROTO_TCP && !(flow->flags & PP_FLOW_TIMESTAMPS)) {
      if (egress) seq_switch_to_timestamps(flow);
      /* A flow followed on sequence numbers takes no timestamps coming in
       * until its own side sends them: they may be forged, and would
       * overwrite the state the sequence numbers keep. */
      identifiers = !(flow->flags & PP_FLOW_SEQ_ACK) || (flow->flags & PP_FLOW_TIMESTAMPS);
    }
    /* The last TSval sent this way before this one (its own if none was:
     * nothing is older), read before note_and_stamp remembers this one. */
    if (pp_cfg.track_retransmits)
      newest = flow->id_known & (1 << hook) ? flow->last_identifier[hook & 1] : p->identifier;
    if (identifiers) note_and_stamp(p, flow, hook, &clock, gc);
  }
  if (identifiers && p->can_match && (!egress || pp_cfg.include_local))
    match_and_record(p, flow, hook, &clock, agg, gc);
  if (!flow) return;
  if (pp_cfg.track_retransmits && p->flow.ip_proto == IPPROTO_TCP && !retx_continues(p, flow, hook) &&
      retx_concerns(p, flow, egress))
    pp_track_retransmits(p, flow, retx_how(skb, egress, identifiers), newest, agg);
  refresh_last_seen(flow, &clock);
  if (p->tcp_flags) maybe_close_flow(p, flow, egress, &clock, gc);
}

/* A DNS query or response (dns.h): by default queries are stamped leaving
 * and answered arriving, the response time of remote servers;
 * include_local adds local servers' (matched on egress). A global
 * function: verified once on its own, not again in every state the rest
 * of the datapath leaves (DNS packets are few, so the call costs little).
 * Its pointers are checked, as the verifier requires of one. */
__attribute__((noinline)) int pp_track_dns(const struct pp_packet* p, __u32 from_egress,
                                           struct pp_global_counters* gc) {
  bool egress = from_egress != 0;
  __u32 hook = egress ? PP_DIR_EGRESS : PP_DIR_INGRESS;
  __u32 stamped_on = egress ? PP_DIR_INGRESS : PP_DIR_EGRESS;
  struct pp_clock clock = {};
  struct pp_agg_stats* agg;
  __u64 response_ns;

  if (!p || !gc) return 0;
  clock.given = p->given_ns;
  if (!egress && p->dns == PP_DNS_QUERY && !pp_cfg.include_local) return 0;
  if (egress && p->dns == PP_DNS_RESPONSE && !pp_cfg.include_local) return 0;
  if (p->dns == PP_DNS_QUERY) {
    dns_stamp(p, hook, &clock, gc);
    return 0;
  }
  response_ns = dns_match(p, stamped_on, &clock, gc);
  if (!response_ns) return 0;
  emit_rtt_event(p, NULL, stamped_on, PP_METHOD_DNS, response_ns, clock_now(&clock), gc);
  agg = agg_stats_for(p, hook, PP_METHOD_DNS, gc);
  if (agg) record_agg_rtt(agg, response_ns);
  return 0;
}

/* With per_interface, notes the device the packet is seen on for its
 * aggregation keys (packet_ifindex). First thing, so that the value is not
 * carried through the rest of the program. */
static __always_inline void note_device(__u32 ifindex) {
  __u32* device;

  if (!pp_cfg.per_interface) return;
  device = bpf_map_lookup_elem(&packet_ifindex, &zero_index);
  if (device) *device = ifindex;
}

/* `skb`: tc's packet, NULL on XDP; `given_ns`: the packet's own time when
 * replayed, else 0 (read the clock). */
static __always_inline void pping_core(void* data, void* data_end, struct __sk_buff* skb, __u32 len, bool egress,
                                       bool l3_only, __u64 given_ns) {
  struct pp_global_counters* gc;
  struct pp_agg_stats* agg;
  struct pp_packet p = {};
  int parsed;

  gc = bpf_map_lookup_elem(&global_counters, &zero_index);
  if (!gc) return;
  parsed = parse_packet(data, data_end, skb, egress, l3_only, &p);
  if (parsed == PARSE_NOT_IP) {
    gc->non_ip_packets[egress]++;
    gc->non_ip_bytes[egress] += len;
    return;
  }
  if (parsed == PARSE_TRUNCATED) {
    gc->truncated_packets++;
    return;
  }
  count_global(gc, &p, len, egress ? PP_DIR_EGRESS : PP_DIR_INGRESS);
  agg = agg_stats_for(&p, PP_DIR_INGRESS, PP_METHOD_IDENTIFIER, gc);
  if (agg) count_prefix_traffic(agg, len, egress);
  p.given_ns = given_ns;
  if (p.tracked) track_flow(&p, skb, len, egress, agg, gc);
  if (p.dns) pp_track_dns(&p, egress, gc);
}

/* A replayed packet (BPF_PROG_TEST_RUN from a capture) carries its capture
 * time in tstamp and its length on the wire in cb[0]: the frame handed in
 * may be cut short, by the capture's snap length or by the runner. */
static __always_inline void pping_tc(struct __sk_buff* skb, bool egress, bool l3_only) {
  __u64 given_ns = 0;
  __u32 len = skb->len;

  note_device(skb->ifindex);
  if (pp_cfg.replay) {
    given_ns = skb->tstamp;
    if (skb->cb[0] > len) len = skb->cb[0];
  }
  pping_core((void*)(long)skb->data, (void*)(long)skb->data_end, skb, len, egress, l3_only, given_ns);
}

/* TC_ACT_UNSPEC is also TCX_NEXT: let any later program see the packet. */
#define PP_TC_ENTRY(name, egress, l3_only) \
  SEC("tc")                                \
  int name(struct __sk_buff* skb) {        \
    pping_tc(skb, egress, l3_only);        \
    return TC_ACT_UNSPEC;                  \
  }

PP_TC_ENTRY(pping_tc_ingress, false, false)
PP_TC_ENTRY(pping_tc_egress, true, false)
/* Links without an Ethernet header (tun, PPP, WireGuard): skb data starts
 * at the IP header. Names stay unique within the kernel's 15 characters. */
PP_TC_ENTRY(pping_l3_ingress, false, true)
PP_TC_ENTRY(pping_l3_egress, true, true)

/* XDP sees ingress only, before the kernel allocates an skb: the cheapest
 * hook where the driver supports it. */
#define PP_XDP_ENTRY(name, l3_only)                                       \
  SEC("xdp")                                                              \
  int name(struct xdp_md* ctx) {                                          \
    void* data = (void*)(long)ctx->data;                                  \
    void* data_end = (void*)(long)ctx->data_end;                          \
    note_device(ctx->ingress_ifindex);                                    \
    pping_core(data, data_end, NULL, data_end - data, false, l3_only, 0); \
    return XDP_PASS;                                                      \
  }

PP_XDP_ENTRY(pping_xdp_ingress, false)
PP_XDP_ENTRY(pping_xdp_l3, true)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
