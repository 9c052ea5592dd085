// SPDX-License-Identifier: Apache-2.0
// The words the exporter uses for the datapath's numbered categories, in
// metric labels and console output alike.
#pragma once

#include <string>

namespace pping {

// "tcp", "udp", "icmp", "icmpv6" or "other" for enum pp_proto_class.
std::string ProtoClassName(unsigned proto_class);

// How an RTT was measured, by enum pp_rtt_method and the protocol class:
// "timestamp" (TCP timestamps), "echo" (ICMP echo), "seq_ack" (TCP
// sequence and acknowledgment numbers), "spin" (the QUIC spin bit), "dns".
const char* RttMethodName(unsigned proto_class, unsigned method);

// The protocol label of a prefix key's series: ProtoClassName, but "quic"
// for the spin bit's RTTs (their packets are counted as UDP).
std::string ProtocolLabel(unsigned proto_class, unsigned method);

// A DNS RCODE (0..15) as RFC 1035/6895 name it: "NOERROR", "SERVFAIL",
// "NXDOMAIN"...; "RCODE<n>" for unassigned values.
std::string DnsRcodeName(unsigned rcode);

// "ingress" or "egress" for enum pp_direction: the hook (matched_on, hook).
const char* HookName(unsigned direction);
// "rx" or "tx" for enum pp_direction: which way traffic went (direction),
// the one vocabulary of every series that counts traffic.
const char* DirectionName(unsigned direction);

}  // namespace pping
