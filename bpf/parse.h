/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet parsing for the datapath: one path for IPv4 and IPv6 that fills a
 * pp_packet with the flow (addresses always in the 16-byte mapped form) and
 * the identifiers pping matches on. Every header read is bounds-checked
 * against data_end; a packet that ends early is reported as truncated.
 */
#ifndef PPING_PARSE_H
#define PPING_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <stdbool.h> /* compiler-provided, not glibc */

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "abi/pping_abi.h"
#include "config.h"

/* linux/icmp.h drags in glibc headers, so the echo layout is spelled out. */
struct pp_icmp_echo {
  __u8 type;
  __u8 code;
  __u16 checksum;
  __be16 id;
  __be16 sequence;
};

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_TIMESTAMP 10
/* Options walked at most, a bound the verifier needs: real stacks put the
 * timestamp option within the first few (NOPs count as options). */
#define TCP_MAX_OPTIONS 10

enum parse_result {
  PARSE_OK,
  PARSE_NOT_IP,
  PARSE_TRUNCATED,
};

#define PP_TCP_FIN 0x01
#define PP_TCP_SYN 0x02
#define PP_TCP_RST 0x04
#define PP_TCP_ACK 0x10

/* What a packet to or from port 53 is, as DNS. */
enum pp_dns_kind {
  PP_DNS_NONE = 0,
  PP_DNS_QUERY = 1,    /* to port 53, QR clear */
  PP_DNS_RESPONSE = 2, /* from port 53, QR set */
};

#define PP_DNS_PORT 53

struct pp_dns_header {
  __be16 id;
  __be16 flags; /* QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE */
  __be16 qdcount;
  __be16 ancount;
  __be16 nscount;
  __be16 arcount;
};

struct pp_packet {
  struct pp_flow_key flow; /* oriented local -> remote for this hook */
  __u32 identifier;        /* TSval, echo request sequence, or a segment's end sequence */
  __u32 echoed;            /* TSecr, echo reply sequence, or the ACK number */
  __u32 seq;               /* TCP: the segment's first sequence number */
  __u32 seq_end;           /* TCP: past its payload and FIN (not its SYN) */
  __u32 ack;               /* TCP: its acknowledgment number */
  __u8 proto_class;
  __u8 ecn;
  __u8 tcp_flags; /* PP_TCP_* of a TCP segment, else 0 */
  __u8 method;    /* enum pp_rtt_method of identifier and echoed */
  bool pure_ack;  /* TCP ACK without payload, SYN, FIN or RST */
  bool tracked;   /* has flow state: any TCP segment, or ICMP echo */
  bool can_stamp; /* carries an identifier the peer will echo (or ACK) */
  bool can_match; /* echoes (or ACKs) an identifier the peer sent */
  __u8 dns;       /* enum pp_dns_kind */
  __u8 dns_rcode; /* of a response */
  __u16 dns_id;   /* of a query or response */
  bool quic;      /* a QUIC short-header packet on a QUIC port */
  __u8 spin;      /* its spin bit */
  __u64 given_ns; /* the packet's own time when replayed, else 0 (read the clock) */
};

struct cursor {
  void* pos;
  void* end;
  void* start;           /* where the packet begins */
  struct __sk_buff* skb; /* tc: the packet, whose bytes past `end` (not in its linear part) may be loaded; else NULL */
};

/* Returns a pointer to `len` bytes at the cursor and advances, or NULL. */
static __always_inline void* take(struct cursor* c, __u32 len) {
  void* start = c->pos;

  if (c->pos + len > c->end) return NULL;
  c->pos += len;
  return start;
}

static __always_inline void map_ipv4(union pp_addr* out, __be32 addr) {
  out->halves[0] = 0;
  out->words[2] = bpf_htonl(0x0000ffff);
  out->words[3] = addr;
}

static __always_inline __u8 proto_class_of(__u8 ip_proto) {
  switch (ip_proto) {
    case IPPROTO_TCP: return PP_PROTO_TCP;
    case IPPROTO_UDP: return PP_PROTO_UDP;
    case IPPROTO_ICMP: return PP_PROTO_ICMP;
    case IPPROTO_ICMPV6: return PP_PROTO_ICMPV6;
    default: return PP_PROTO_OTHER;
  }
}

/* Places source/destination as local/remote according to the hook. */
static __always_inline void orient(struct pp_packet* p, const union pp_addr* src, const union pp_addr* dst,
                                   bool egress) {
  p->flow.local = egress ? *src : *dst;
  p->flow.remote = egress ? *dst : *src;
}

static __always_inline void orient_ports(struct pp_packet* p, __u16 sport, __u16 dport, bool egress) {
  p->flow.local_port = egress ? sport : dport;
  p->flow.remote_port = egress ? dport : sport;
}

/* NOP, NOP, timestamps: how Linux and most stacks lay out the options of
 * every segment after the handshake (RFC 7323, appendix A). */
#define TCP_ALIGNED_TIMESTAMPS 0x0101080a

/* Finds the TCP timestamp option; returns 0 when found. */
static __always_inline int tcp_timestamps(struct cursor* c, void* opt_end, __u32* tsval, __u32* tsecr) {
  __u32* aligned = c->pos;

  if (opt_end > c->end) return -1;
  /* The usual layout is read with one compare, sparing the walk. Bounded
   * by opt_end for the header, and by c->end again for the verifier,
   * which cannot carry the first bound over to the packet's end. */
  if ((void*)(aligned + 3) <= opt_end && (void*)(aligned + 3) <= c->end &&
      aligned[0] == bpf_htonl(TCP_ALIGNED_TIMESTAMPS)) {
    *tsval = bpf_ntohl(aligned[1]);
    *tsecr = bpf_ntohl(aligned[2]);
    return 0;
  }
  for (int i = 0; i < TCP_MAX_OPTIONS; i++) {
    __u8 *kind = take(c, 1), *len;

    if (!kind || c->pos > opt_end || *kind == TCPOPT_EOL) return -1;
    if (*kind == TCPOPT_NOP) continue;
    len = take(c, 1);
    if (!len || *len < 2) return -1;
    if (*kind == TCPOPT_TIMESTAMP && *len == TCPOLEN_TIMESTAMP) {
      __u32* vals = take(c, 8);

      if (!vals || c->pos > opt_end) return -1;
      *tsval = bpf_ntohl(vals[0]);
      *tsecr = bpf_ntohl(vals[1]);
      return 0;
    }
    if (!take(c, *len - 2)) return -1;
  }
  return -1;
}

/* A DNS message at the cursor, from `sport` to `dport` (network order):
 * a query to port 53 or a response from it, with one question, as every
 * stub resolver sends them. Anything else, and a message cut short, is no
 * DNS to the datapath. */
static __always_inline void parse_dns(struct cursor* c, struct pp_packet* p, __be16 sport, __be16 dport) {
  struct pp_dns_header* dns = take(c, sizeof(*dns));
  __u16 flags;
  bool response;

  if (!dns || dns->qdcount != bpf_htons(1)) return;
  flags = bpf_ntohs(dns->flags);
  response = flags >> 15;
  if (response ? sport != bpf_htons(PP_DNS_PORT) : dport != bpf_htons(PP_DNS_PORT)) return;
  p->dns = response ? PP_DNS_RESPONSE : PP_DNS_QUERY;
  p->dns_id = bpf_ntohs(dns->id);
  p->dns_rcode = flags & 0xf;
}

/* DNS over TCP: each message is preceded by its 2-byte length. Only a
 * segment that starts with one is read; continuation segments of a long
 * message mostly fail the one-question check. A segment's payload is often
 * outside the packet's linear part (sent data sits in page fragments), so
 * on tc it is loaded from the skb when it is not in reach. */
static __always_inline void parse_tcp_dns(struct cursor* c, struct pp_packet* p, const struct tcphdr* tcp,
                                          __u32 payload) {
  struct {
    __be16 length;
    struct pp_dns_header header;
  } __attribute__((packed)) message;
  struct cursor copy;

  if (tcp->source != bpf_htons(PP_DNS_PORT) && tcp->dest != bpf_htons(PP_DNS_PORT)) return;
  if (payload < sizeof(message)) return;
  if (c->pos + sizeof(message) <= c->end) {
    __builtin_memcpy(&message, c->pos, sizeof(message));
  } else if (!c->skb || bpf_skb_load_bytes(c->skb, c->pos - c->start, &message, sizeof(message))) {
    return;
  }
  if (bpf_ntohs(message.length) < sizeof(struct pp_dns_header)) return;
  copy.pos = &message.header;
  copy.end = (void*)&message + sizeof(message);
  copy.start = copy.pos;
  copy.skb = NULL;
  parse_dns(&copy, p, tcp->source, tcp->dest);
}

/* The smallest short-header packet: the first byte, a packet number byte
 * and a 16-byte AEAD tag, with no connection ID. */
#define PP_QUIC_SHORT_MIN 18

static __always_inline bool quic_port(__be16 port) {
  for (int i = 0; i < PP_QUIC_PORTS; i++) {
    if (pp_cfg.quic_ports[i] && pp_cfg.quic_ports[i] == port) return true;
  }
  return false;
}

/* A QUIC short-header packet (header form 0; RFC 9000, 17.3) to or from a
 * QUIC port: its spin bit, which header protection leaves readable. Long
 * headers (the handshake) carry no spin bit. The fixed bit is not
 * required: a sender may grease it once its peer allows (RFC 9287). */
static __always_inline void parse_quic(struct cursor* c, struct pp_packet* p, const struct udphdr* udp) {
  __u8 first;

  if (!quic_port(udp->source) && !quic_port(udp->dest)) return;
  if (bpf_ntohs(udp->len) < sizeof(*udp) + PP_QUIC_SHORT_MIN) return;
  /* A sender's UDP segmentation (GSO) leaves the payload outside the
   * linear part: on tc it is loaded from the skb. */
  if (c->pos + 1 <= c->end) {
    first = *(__u8*)c->pos;
  } else if (!c->skb || bpf_skb_load_bytes(c->skb, c->pos - c->start, &first, 1)) {
    return;
  }
  if (first & 0x80) return;
  p->quic = true;
  p->tracked = true;
  p->method = PP_METHOD_SPIN;
  p->spin = (first >> 5) & 1;
}

static __always_inline int parse_udp(struct cursor* c, struct pp_packet* p, bool egress) {
  struct udphdr* udp = take(c, sizeof(*udp));

  if (!udp) return PARSE_TRUNCATED;
  orient_ports(p, udp->source, udp->dest, egress);
  parse_quic(c, p, udp);
  if (udp->source == bpf_htons(PP_DNS_PORT) || udp->dest == bpf_htons(PP_DNS_PORT))
    parse_dns(c, p, udp->source, udp->dest);
  return PARSE_OK;
}

/* Without timestamps, a segment is identified by the sequence number after
 * it: what the ACK that covers it carries. SYN and FIN take one number. */
static __always_inline void use_sequence_numbers(struct pp_packet* p, const struct tcphdr* tcp) {
  p->method = PP_METHOD_SEQ_ACK;
  p->identifier = p->seq_end + tcp->syn;
  p->echoed = p->ack;
  /* A RST neither is acknowledged nor acknowledges in time. */
  p->can_stamp = p->identifier != p->seq && !tcp->rst;
  p->can_match = tcp->ack && !tcp->rst;
}

static __always_inline int parse_tcp(struct cursor* c, struct pp_packet* p, __u32 l4_len, bool egress) {
  struct tcphdr* tcp = take(c, sizeof(*tcp));
  __u32 hdr_len, tsval, tsecr;
  bool pure_ack;

  if (!tcp) return PARSE_TRUNCATED;
  hdr_len = tcp->doff * 4;
  if (hdr_len < sizeof(*tcp) || hdr_len > l4_len) return PARSE_TRUNCATED;
  orient_ports(p, tcp->source, tcp->dest, egress);
  p->tcp_flags = (tcp->fin ? PP_TCP_FIN : 0) | (tcp->syn ? PP_TCP_SYN : 0) | (tcp->rst ? PP_TCP_RST : 0) |
                 (tcp->ack ? PP_TCP_ACK : 0);
  /* A bare ACK is not acknowledged itself, so its TSval may never be
   * echoed promptly; stamping it would inflate the RTT. */
  pure_ack = tcp->ack && !tcp->syn && !tcp->fin && !tcp->rst && l4_len == hdr_len;
  p->pure_ack = pure_ack;
  p->tracked = true; /* every segment drives the flow's lifecycle */
  p->seq = bpf_ntohl(tcp->seq);
  p->seq_end = p->seq + (l4_len - hdr_len) + tcp->fin;
  p->ack = bpf_ntohl(tcp->ack_seq);
  if (tcp_timestamps(c, (void*)tcp + hdr_len, &tsval, &tsecr)) {
    use_sequence_numbers(p, tcp);
  } else {
    p->identifier = tsval;
    p->echoed = tsecr;
    p->can_stamp = !pure_ack;
    /* Only an ACK carries a meaningful TSecr (RFC 7323). */
    p->can_match = tcp->ack && tsecr != 0;
  }
  /* Last: what it adds to the verifier's states stays out of the rest of
   * the parse. */
  {
    struct cursor payload = {.pos = (void*)tcp + hdr_len, .end = c->end, .start = c->start, .skb = c->skb};

    parse_tcp_dns(&payload, p, tcp, l4_len - hdr_len);
  }
  return PARSE_OK;
}

/* ICMP and ICMPv6 echo: the identifier is the flow's port, seq the id. */
static __always_inline int parse_echo(struct cursor* c, struct pp_packet* p, __u8 request_type, __u8 reply_type) {
  struct pp_icmp_echo* icmp = take(c, sizeof(*icmp));
  __u16 id;

  if (!icmp) return PARSE_TRUNCATED;
  if (icmp->type != request_type && icmp->type != reply_type) return PARSE_OK;
  id = icmp->id;
  orient_ports(p, id, id, true);
  p->tracked = true;
  p->can_stamp = icmp->type == request_type;
  p->can_match = icmp->type == reply_type;
  p->identifier = bpf_ntohs(icmp->sequence);
  p->echoed = p->identifier;
  return PARSE_OK;
}

static __always_inline int parse_l4(struct cursor* c, struct pp_packet* p, __u32 l4_len, bool egress) {
  switch (p->flow.ip_proto) {
    case IPPROTO_TCP: return parse_tcp(c, p, l4_len, egress);
    case IPPROTO_UDP: return parse_udp(c, p, egress);
    case IPPROTO_ICMP: return parse_echo(c, p, ICMP_ECHO, ICMP_ECHOREPLY);
    case IPPROTO_ICMPV6: return parse_echo(c, p, ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY);
    default: return PARSE_OK;
  }
}

static __always_inline int parse_ipv4(struct cursor* c, struct pp_packet* p, bool egress) {
  struct iphdr* ip = take(c, sizeof(*ip));
  union pp_addr src, dst;
  __u32 hdr_len, total;

  if (!ip) return PARSE_TRUNCATED;
  hdr_len = ip->ihl * 4;
  total = bpf_ntohs(ip->tot_len);
  if (hdr_len < sizeof(*ip) || total < hdr_len || !take(c, hdr_len - sizeof(*ip))) return PARSE_TRUNCATED;
  map_ipv4(&src, ip->saddr);
  map_ipv4(&dst, ip->daddr);
  orient(p, &src, &dst, egress);
  p->flow.ip_proto = ip->protocol;
  p->ecn = ip->tos & 3;
  /* Later fragments carry no L4 header. */
  if (ip->frag_off & bpf_htons(0x1fff)) return PARSE_OK;
  return parse_l4(c, p, total - hdr_len, egress);
}

static __always_inline int parse_ipv6(struct cursor* c, struct pp_packet* p, bool egress) {
  struct ipv6hdr* ip6 = take(c, sizeof(*ip6));

  if (!ip6) return PARSE_TRUNCATED;
  orient(p, (union pp_addr*)&ip6->saddr, (union pp_addr*)&ip6->daddr, egress);
  p->flow.ip_proto = ip6->nexthdr;
  p->ecn = (ip6->flow_lbl[0] >> 4) & 3;
  return parse_l4(c, p, bpf_ntohs(ip6->payload_len), egress);
}

#define VLAN_MAX_DEPTH 2 /* 802.1ad outer tag plus 802.1Q inner tag */

struct vlan_tag {
  __be16 tci;
  __be16 encapsulated_proto;
};

/* Skips the Ethernet header and up to two VLAN tags; returns the
 * EtherType behind them, or 0 when the frame ends early. */
static __always_inline __be16 skip_ethernet(struct cursor* c) {
  struct ethhdr* eth = take(c, sizeof(*eth));
  __be16 proto;

  if (!eth) return 0;
  proto = eth->h_proto;
  for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
    struct vlan_tag* tag;

    if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD)) break;
    tag = take(c, sizeof(*tag));
    if (!tag) return 0;
    proto = tag->encapsulated_proto;
  }
  return proto;
}

/* The EtherType of a packet that starts at its IP header (tun, PPP). */
static __always_inline __be16 ip_version_proto(struct cursor* c) {
  __u8* first = c->pos;

  if ((void*)(first + 1) > c->end) return 0;
  switch (*first >> 4) {
    case 4: return bpf_htons(ETH_P_IP);
    case 6: return bpf_htons(ETH_P_IPV6);
    default: return bpf_htons(ETH_P_ARP); /* anything that is not IP */
  }
}

/* Parses from the Ethernet header on, or from the IP header for links
 * without one (`l3_only`). */
static __always_inline int parse_packet(void* data, void* data_end, struct __sk_buff* skb, bool egress, bool l3_only,
                                        struct pp_packet* p) {
  struct cursor c = {.pos = data, .end = data_end, .start = data, .skb = skb};
  __be16 proto = l3_only ? ip_version_proto(&c) : skip_ethernet(&c);
  int ret;

  if (!proto) return PARSE_TRUNCATED;
  if (proto == bpf_htons(ETH_P_IP))
    ret = parse_ipv4(&c, p, egress);
  else if (proto == bpf_htons(ETH_P_IPV6))
    ret = parse_ipv6(&c, p, egress);
  else
    return PARSE_NOT_IP;
  p->proto_class = proto_class_of(p->flow.ip_proto);
  return ret;
}

#endif /* PPING_PARSE_H */
