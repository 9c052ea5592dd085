/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one kernel/user ABI of pping_exporter: every struct and constant that
 * crosses between the BPF datapath and the C++ exporter lives here, compiled by
 * both sides, with size checks at the end so a layout drift breaks the build.
 */
#ifndef PPING_ABI_H
#define PPING_ABI_H

#include <linux/types.h>

/* An address is always 16 bytes: IPv6 as is, IPv4 as ::ffff:a.b.c.d. */
union pp_addr {
  __u8 bytes[16];
  __u32 words[4];
  __u64 halves[2];
};

/* The hook a packet passes; also the direction an identifier was stamped in. */
enum pp_direction {
  PP_DIR_INGRESS = 0,
  PP_DIR_EGRESS = 1,
  PP_DIRECTIONS = 2,
};

/*
 * A flow as seen from the monitored interface: "local" is the side whose
 * packets leave through the egress hook, "remote" the side they go to.
 * ICMP echo uses the echo identifier as both ports.
 */
struct pp_flow_key {
  union pp_addr local;
  union pp_addr remote;
  __u16 local_port;  /* network byte order */
  __u16 remote_port; /* network byte order */
  __u8 ip_proto;     /* IPPROTO_TCP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
  __u8 pad[3];
};

/* An outstanding identifier (TCP TSval, ICMP echo sequence, DNS query id)
 * of a flow. */
struct pp_packet_key {
  struct pp_flow_key flow;
  __u32 identifier;
  __u8 stamped_on; /* enum pp_direction of the hook that stamped it */
  __u8 method;     /* enum pp_rtt_method: PP_METHOD_IDENTIFIER or PP_METHOD_DNS */
  __u8 pad[2];
};

/* How the identifiers one direction sends are sampled; written about once
 * per new identifier, not per packet (but for sent_end, written per data
 * segment of this direction by its own hook). One 32-byte block, apart from
 * the RTT state, so that a stamp touches one cache line (with the kernel's
 * element layout the flow's value starts 32 bytes into a line). */
struct pp_dir_sampling {
  __u64 last_stamp_ns; /* when the last regular sample was taken */
  /* The regular sample the flow holds itself instead of in packet_ts:
   * it is usually echoed before the next one is due, so most samples
   * cost no timestamp-map insert, lookup and delete. held_ns is 0 while
   * none is held and PP_HELD_WRITING while one is being written; a held
   * sample lives as long as a packet_ts entry would (pp_stamp_outlived). */
  __u64 held_ns;
  __u32 held_identifier;
  __u32 last_stamped; /* the newest identifier stamped into packet_ts */
  __u8 burst_left;    /* stamps still allowed in the current burst */
  /* How far identifiers sent this way without a stamp (bare ACKs' TSvals,
   * which the peer may echo) have run ahead of last_identifier, up to 255:
   * an echo beyond last_identifier + ack_lead cannot be genuine. */
  __u8 ack_lead;
  /* Retransmissions (retransmit.h), with track_retransmits: segments
   * retransmitted since the one awaiting its Eifel check (egress only), and
   * the highest end sequence number sent this way. Written by this
   * direction's hook, sent_end on each of its data segments; the other hook
   * reads them only to judge an arriving segment or settle the check. */
  __u16 eifel_segments;
  __u32 sent_end;
};

/* The RTT of the identifiers one direction sends; written on each match. */
struct pp_dir_rtt {
  __u64 min_rtt_ns;
  __u64 srtt_ns; /* smoothed RTT, alpha 1/8 as in RFC 6298 */
};

/* held_ns while a CPU writes the held identifier: no real clock value. */
#define PP_HELD_WRITING 1ULL

/* A stamp never echoed is given up after this long, or after this many of
 * its flow's smoothed RTTs where that is longer, but never later than
 * PP_TS_MAX_LIFETIME_NS: a peer that delays its echoes step by step
 * cannot stretch the samples it gives without limit. In packet_ts by the
 * cleanup, in the flow by the datapath. */
#define PP_TS_MIN_LIFETIME_NS 1000000000ULL
#define PP_TS_MAX_LIFETIME_NS 10000000000ULL
#define PP_TS_RTT_LIFETIMES 8

static inline __u64 pp_stamp_lifetime_ns(__u64 srtt_ns) {
  __u64 rtt_based = srtt_ns * PP_TS_RTT_LIFETIMES;

  if (rtt_based > PP_TS_MAX_LIFETIME_NS) return PP_TS_MAX_LIFETIME_NS;
  return rtt_based > PP_TS_MIN_LIFETIME_NS ? rtt_based : PP_TS_MIN_LIFETIME_NS;
}

/* Whether a stamp taken at `stamped_ns`, of a flow with smoothed RTT
 * `srtt_ns` (0: unknown), is given up at `now_ns`; a clock reading behind
 * the stamp never gives it up. */
static inline int pp_stamp_outlived(__u64 stamped_ns, __u64 now_ns, __u64 srtt_ns) {
  return now_ns > stamped_ns && now_ns - stamped_ns > pp_stamp_lifetime_ns(srtt_ns);
}

/* A DNS query is answered within this long or counted unanswered: what
 * stub resolvers (glibc, dig) wait before they retry. */
#define PP_DNS_TIMEOUT_NS 5000000000ULL

/* The low bit of a DNS query's time in packet_ts (its nanosecond, given
 * up) marks a query sent again with the same id (a client's retry): its
 * answer may be to either copy, so it gives no sample, but the query
 * still counts as unanswered if none comes by PP_DNS_TIMEOUT_NS after the
 * last copy. */
#define PP_DNS_RETRIED 1ULL

/* pp_stamp_outlived for any entry of packet_ts: DNS queries wait for
 * PP_DNS_TIMEOUT_NS, identifiers for their flow's lifetime. */
static inline int pp_packet_ts_outlived(const struct pp_packet_key* key, __u64 stamped_ns, __u64 now_ns,
                                        __u64 srtt_ns) {
  if (key->method == 2 /* PP_METHOD_DNS */) return now_ns > stamped_ns && now_ns - stamped_ns > PP_DNS_TIMEOUT_NS;
  return pp_stamp_outlived(stamped_ns, now_ns, srtt_ns);
}

/* Why a flow was opened or closed: labels of the flow counters. */
enum pp_open_reason {
  PP_OPEN_SYN = 0, /* SYN alone, only with include_syn */
  PP_OPEN_SYN_ACK = 1,
  PP_OPEN_FIRST_PACKET = 2, /* a flow already running when first seen */
  PP_OPEN_REASONS = 3,
};

enum pp_close_reason {
  PP_CLOSE_FIN = 0,
  PP_CLOSE_RST = 1,
  PP_CLOSE_TIMEOUT = 2,
  PP_CLOSE_REASONS = 3,
};

/* pp_flow_state.flags */
#define PP_FLOW_SEEN_INGRESS (1 << PP_DIR_INGRESS)
#define PP_FLOW_SEEN_EGRESS (1 << PP_DIR_EGRESS)
#define PP_FLOW_FIN_INGRESS (1 << 2)
#define PP_FLOW_FIN_EGRESS (1 << 3)
/* An echo may still match a packet_ts stamp made on that hook: no echo at
 * or past sampling[].last_stamped has been looked up yet. While clear (most
 * of the time), echoes skip the timestamp lookup. */
#define PP_FLOW_STAMP_OPEN_INGRESS (1 << 4)
#define PP_FLOW_STAMP_OPEN_EGRESS (1 << 5)
/* The flow may hold a sample stamped on that hook (sampling[].held_ns is
 * what counts): while clear, echoes leave the sampling block untouched. */
#define PP_FLOW_HELD_INGRESS (1 << 6)
#define PP_FLOW_HELD_EGRESS (1 << 7)
/* The flow's local side sends TCP timestamps: its RTTs come from them, and
 * sequence numbers are no longer followed (see pp_rtt_method). */
#define PP_FLOW_TIMESTAMPS (1 << 8)
/* Segments without timestamps have been followed on sequence numbers. */
#define PP_FLOW_SEQ_ACK (1 << 9)
/* sampling[].sent_end holds the highest sequence number that hook saw
 * sent (retransmit.h). */
#define PP_FLOW_SENT_KNOWN_INGRESS (1 << 10)
#define PP_FLOW_SENT_KNOWN_EGRESS (1 << 11)
/* A retransmission the local side sent waits for the ACK that tells
 * whether it was spurious (eifel_*). */
#define PP_FLOW_EIFEL (1 << 12)
/* Each pair above keeps its egress bit right above its ingress bit, so the
 * flag of direction `dir` is the pair's ingress flag shifted by `dir`. */
#define PP_FLOW_DIR_FLAG(ingress_flag, dir) ((__u32)(ingress_flag) << (dir))

/* A QUIC flow's spin-bit edges (spin.h), in place of last_echo. */
struct pp_spin_state {
  __u8 last_edge; /* PP_SPIN_EDGE_*: whether there was one, and its direction */
  __u8 streak;    /* edges in a row without a strike */
  __u8 invalid;   /* strikes: changes that made no edge, saturating */
  __u8 greased;   /* the bit is taken for random: no more samples */
  __u16 valid;    /* edges, saturating */
  __u16 pad;
};

#define PP_SPIN_EDGE_KNOWN (1 << 0)
#define PP_SPIN_EDGE_EGRESS (1 << 1)
#define PP_SPIN_EDGE_STRUCK (1 << 2) /* a strike was counted since that edge */

/*
 * Every packet of a flow reads the first 32 bytes; the kernel's hash map
 * stores a value right after its key, so they share the key's cache lines
 * and a packet that repeats its identifier and echo touches nothing else.
 */
struct pp_flow_state {
  __u32 flags;      /* PP_FLOW_*, set with atomic OR (BPF atomics are 32/64 bit) */
  __u8 open_reason; /* enum pp_open_reason */
  __u8 id_known;    /* bit per direction: last_identifier[dir] is valid */
  __u8 echo_known;  /* bit per direction: last_echo[dir] is valid */
  __u8 pad;
  /* Per direction, the newest identifier sent: only a new one may be
   * stamped (later packets with the same TSval would under-report). */
  __u32 last_identifier[PP_DIRECTIONS];
  union {
    /* Per stamped-on direction, the newest echoed identifier already
     * looked up in packet_ts. A bulk TCP flow echoes one TSval in many
     * ACKs; only the first of them can match, so the rest skip the lookup. */
    __u32 last_echo[PP_DIRECTIONS];
    struct pp_spin_state spin; /* QUIC flows: their spin bit */
  };
  __u64 last_seen_ns;
  /* [PP_DIR_EGRESS]: stamped leaving, echoed arriving: the network RTT.
   * [PP_DIR_INGRESS]: stamped arriving, echoed leaving: the local side. */
  struct pp_dir_sampling sampling[PP_DIRECTIONS];
  struct pp_dir_rtt rtt[PP_DIRECTIONS];
  /* Only kept when events are emitted. */
  __u64 tx_packets;
  __u64 tx_bytes;
  __u64 rx_packets;
  __u64 rx_bytes;
  /* With track_retransmits, the local side's retransmission awaiting its
   * Eifel check (PP_FLOW_EIFEL): its first sequence number and its TSval.
   * The flow's value stays within 168 bytes, which keeps the kernel's
   * element for it in a 256-byte allocation. */
  __u32 eifel_seq;
  __u32 eifel_tsval;
};

/* Protocol classes: the bounded "protocol" label of every per-prefix metric. */
enum pp_proto_class {
  PP_PROTO_TCP = 0,
  PP_PROTO_UDP = 1,
  PP_PROTO_ICMP = 2,
  PP_PROTO_ICMPV6 = 3,
  PP_PROTO_OTHER = 4,
  PP_PROTO_CLASSES = 5,
};

/*
 * How an RTT sample was taken. The identifier methods (TCP timestamps, ICMP
 * echo) match an identifier the peer returns unchanged; TCP flows without
 * timestamps match a segment's end sequence number with the first ACK that
 * covers it. The two have different biases (delayed ACKs, Karn's rule), so
 * they are aggregated and exported apart.
 */
enum pp_rtt_method {
  PP_METHOD_IDENTIFIER = 0,
  PP_METHOD_SEQ_ACK = 1,
  /* Not an RTT: a DNS query's response time, matched on the flow and the
   * query id; exported as its own histogram, by response code. */
  PP_METHOD_DNS = 2,
  /* The QUIC spin bit: exported under protocol "quic". */
  PP_METHOD_SPIN = 3,
  PP_METHODS = 4,
};

/* Aggregation is per remote prefix, protocol class, matching hook and
 * method, and with per_interface per interface; traffic counts are kept
 * under the identifier method only. */
struct pp_agg_key {
  union pp_addr prefix; /* remote address with host bits cleared */
  __u8 prefix_len;      /* 0..128, counted on the 16-byte (mapped) form */
  __u8 proto_class;     /* enum pp_proto_class */
  __u8 matched_on;      /* enum pp_direction: ingress = network RTT */
  __u8 method;          /* enum pp_rtt_method */
  __u8 rcode;           /* PP_METHOD_DNS: the response code (RCODE, 0..15) */
  /* With per_interface: the low 24 bits of the ifindex of the device the
   * packet was seen on, least significant byte first (0: not kept). Three
   * bytes keep the key at 24 bytes, so the per-packet lookup hashes no
   * more; monitored interfaces 2^24 ifindexes apart would share one. */
  __u8 ifindex[3];
};
#define PP_IFINDEX_MASK 0xffffffu

/*
 * RTT histogram buckets, log-linear in microseconds: 16 one-microsecond
 * buckets, then every power of two split into 8 equal sub-buckets (each at
 * most 12.5 % wide), up to 2^25 us (33.5 s). The last bucket is overflow.
 */
#define PP_HIST_LINEAR_BUCKETS 16
#define PP_HIST_SUB_BITS 3
#define PP_HIST_SUB_BUCKETS (1 << PP_HIST_SUB_BITS)
#define PP_HIST_MAX_EXPONENT 24 /* highest power of two with sub-buckets */
#define PP_HIST_BUCKETS (PP_HIST_LINEAR_BUCKETS + (PP_HIST_MAX_EXPONENT - 3) * PP_HIST_SUB_BUCKETS + 1)

/* One CPU's view of one prefix during one aggregation interval. Traffic
 * counts are kept under matched_on = PP_DIR_INGRESS only. */
struct pp_agg_stats {
  __u64 rx_packets;
  __u64 rx_bytes;
  __u64 tx_packets;
  __u64 tx_bytes;
  __u64 rtt_count;
  __u64 rtt_sum_ns;
  __u64 rtt_min_ns; /* 0 when rtt_count is 0 */
  __u64 rtt_max_ns;
  __u32 rtt_buckets[PP_HIST_BUCKETS]; /* drained every interval: u32 is ample */
  /* TCP segments that resent sequence numbers already seen sent, and those
   * the local side sent that the ACK after them showed needless
   * (retransmit.h). */
  __u32 rx_retransmits;
  __u32 tx_retransmits;
  __u32 tx_spurious_retransmits;
};

/* Maps whose inserts can fail; indexes pp_global_counters.map_full and
 * map_alloc_failed. */
enum pp_map_id {
  PP_MAP_PACKET_TS = 0,
  PP_MAP_FLOW_STATE = 1,
  PP_MAP_AGGREGATION = 2,
  PP_MAPS = 3,
};

/* Slots of flow_maps and stamp_maps, the ARRAY_OF_MAPS through which the
 * datapath finds its flow and timestamp maps (flow_maps.h): the map in
 * use, and the one it replaces while the exporter moves entries over. */
enum pp_map_slot {
  PP_MAP_CURRENT = 0,
  PP_MAP_PREVIOUS = 1,
  PP_MAP_SLOTS = 2,
};

/* Per-CPU totals since load; user space sums the CPUs. */
struct pp_global_counters {
  __u64 ip_packets[PP_DIRECTIONS][PP_PROTO_CLASSES];
  __u64 ip_bytes[PP_DIRECTIONS][PP_PROTO_CLASSES];
  __u64 non_ip_packets[PP_DIRECTIONS];
  __u64 non_ip_bytes[PP_DIRECTIONS];
  __u64 ecn_packets[4]; /* by codepoint: Not-ECT, ECT(1), ECT(0), CE */
  __u64 truncated_packets;
  __u64 map_full[PP_MAPS];         /* insert refused: the map is full */
  __u64 map_alloc_failed[PP_MAPS]; /* insert refused: no memory for it */
  __u64 rtt_samples;
  __u64 flows_opened[PP_OPEN_REASONS];
  /* [reason][seen both ways]: short flows are counted when they close */
  __u64 flows_closed[PP_CLOSE_REASONS][2];
  __u64 stamps_rate_limited;
  __u64 stamps_burst;
  __u64 events_lost; /* ring buffer full: the consumer fell behind */
  __u64 dns_queries; /* DNS queries stamped, their retries not counted again */
  __u64 dns_late;    /* DNS responses after PP_DNS_TIMEOUT_NS: their query counts as unanswered */
  /* Echoes beyond any identifier sent their way, while a sample waited:
   * forged, so they were not let release it (held_stamp.h). */
  __u64 echoes_implausible;
};

/* How many UDP ports may be watched for QUIC (pp_config.quic_ports). */
#define PP_QUIC_PORTS 4

/* Knobs set by user space in .rodata before load. */
struct pp_config {
  __u64 ipv4_mask[2]; /* applied to the mapped 16-byte form */
  __u64 ipv6_mask[2];
  __u64 rate_limit_ns;   /* least time between two stamps of a flow */
  __u64 burst_window_ns; /* extra stamps allowed this soon after one */
  __u32 rtt_rate_milli;  /* if set: rate limit = rate x RTT, in 1/1000 */
  __u8 ipv4_prefix_len;  /* as counted on the mapped form: 96 + v4 length */
  __u8 ipv6_prefix_len;
  __u8 use_srtt;          /* RTT for rtt_rate: smoothed (1) or minimum (0) */
  __u8 burst_count;       /* extra identifiers stamped after a sample */
  __u8 include_local;     /* also stamp on ingress and match on egress */
  __u8 include_syn;       /* a SYN alone opens a flow */
  __u8 emit_events;       /* push RTT and flow events to the ring buffer */
  __u8 replay;            /* packets come from a capture: tstamp is their time, cb[0] their length on the wire */
  __u8 track_retransmits; /* follow TCP sequence numbers to count retransmissions */
  __u8 link_local;        /* also aggregate link-local and multicast remotes */
  __u8 per_interface;     /* aggregate per device as well (pp_agg_key.ifindex) */
  __u8 pad;
  __be16 quic_ports[PP_QUIC_PORTS]; /* UDP ports whose short-header packets are QUIC; 0: unused */
};

/* Per-event records in the optional ring buffer (--format). */
enum pp_event_type {
  PP_EVENT_RTT = 1,
  PP_EVENT_FLOW = 2,
};

enum pp_flow_event_kind {
  PP_FLOW_OPENING = 0,
  PP_FLOW_CLOSING = 1,
};

struct pp_event_header {
  __u32 type; /* enum pp_event_type */
  __u32 pad;
  __u64 timestamp_ns; /* bpf_ktime_get_ns() */
  struct pp_flow_key flow;
};

struct pp_rtt_event {
  struct pp_event_header hdr;
  __u64 rtt_ns;
  __u64 min_rtt_ns;
  __u64 sent_packets; /* of the flow, in the stamped direction */
  __u64 sent_bytes;
  __u64 rec_packets;
  __u64 rec_bytes;
  __u8 match_on_egress;
  __u8 method; /* enum pp_rtt_method */
  __u8 pad[6];
};

struct pp_flow_event {
  struct pp_event_header hdr;
  __u8 kind;        /* enum pp_flow_event_kind */
  __u8 reason;      /* pp_open_reason or pp_close_reason */
  __u8 from_egress; /* the triggering packet left through egress */
  __u8 pad[5];
};

/* The cleanup iterators' settings (.rodata) and their result (.bss). */
struct pp_cleanup_config {
  __u64 tcp_timeout_ns;
  __u64 icmp_timeout_ns;
};

struct pp_cleanup_result {
  __u64 flows_timed_out[2]; /* [seen both ways] */
  __u64 timestamps_expired; /* DNS queries included */
  __u64 dns_expired;        /* DNS queries never answered */
  __u64 flows_kept;
  __u64 timestamps_kept;
};

#ifdef __cplusplus
#define PP_STATIC_ASSERT static_assert
#else
#define PP_STATIC_ASSERT _Static_assert
#endif
#define PP_CHECK_SIZE(type, size) PP_STATIC_ASSERT(sizeof(type) == (size), #type " changed size")

PP_CHECK_SIZE(union pp_addr, 16);
PP_CHECK_SIZE(struct pp_flow_key, 40);
PP_CHECK_SIZE(struct pp_packet_key, 48);
PP_CHECK_SIZE(struct pp_dir_sampling, 32);
PP_CHECK_SIZE(struct pp_dir_rtt, 16);
PP_CHECK_SIZE(struct pp_flow_state, 168);
PP_CHECK_SIZE(struct pp_agg_key, 24);
PP_CHECK_SIZE(struct pp_agg_stats, 64 + 4 * PP_HIST_BUCKETS + 3 * 4);
PP_CHECK_SIZE(struct pp_global_counters,
              8 * (4 * PP_PROTO_CLASSES + 4 + 4 + 1 + 2 * PP_MAPS + 1 + PP_OPEN_REASONS + 2 * PP_CLOSE_REASONS + 6));
PP_CHECK_SIZE(struct pp_config, 64 + 2 * PP_QUIC_PORTS);
PP_CHECK_SIZE(struct pp_spin_state, 4 * PP_DIRECTIONS);
PP_CHECK_SIZE(struct pp_event_header, 56);
PP_CHECK_SIZE(struct pp_rtt_event, 56 + 56);
PP_CHECK_SIZE(struct pp_flow_event, 56 + 8);
PP_CHECK_SIZE(struct pp_cleanup_config, 16);
PP_CHECK_SIZE(struct pp_cleanup_result, 48);
PP_STATIC_ASSERT(PP_METHOD_DNS == 2, "pp_packet_ts_outlived names it by value");
PP_STATIC_ASSERT(PP_HIST_BUCKETS == 185, "bucket layout changed");
PP_STATIC_ASSERT(__builtin_offsetof(struct pp_agg_stats, rtt_buckets) == 64, "histogram must follow the scalar fields");
PP_STATIC_ASSERT(__builtin_offsetof(struct pp_packet_key, identifier) == 40, "identifier follows the flow");
PP_STATIC_ASSERT(PP_FLOW_DIR_FLAG(PP_FLOW_STAMP_OPEN_INGRESS, PP_DIR_EGRESS) == PP_FLOW_STAMP_OPEN_EGRESS &&
                     PP_FLOW_DIR_FLAG(PP_FLOW_HELD_INGRESS, PP_DIR_EGRESS) == PP_FLOW_HELD_EGRESS &&
                     PP_FLOW_DIR_FLAG(PP_FLOW_HELD_INGRESS, PP_DIR_INGRESS) == PP_FLOW_HELD_INGRESS &&
                     PP_FLOW_DIR_FLAG(PP_FLOW_SENT_KNOWN_INGRESS, PP_DIR_EGRESS) == PP_FLOW_SENT_KNOWN_EGRESS,
                 "per-direction flag pairs: egress bit right above ingress");
PP_STATIC_ASSERT(__builtin_offsetof(struct pp_flow_state, sampling) == 32,
                 "per-packet flow fields fit the first 32 bytes");

#endif /* PPING_ABI_H */
