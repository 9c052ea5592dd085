// SPDX-License-Identifier: Apache-2.0
#include "exporter/stats/names.h"

#include <iterator>

#include "bpf/abi/pping_abi.h"

namespace pping {

std::string ProtoClassName(unsigned proto_class) {
  static constexpr const char* kNames[PP_PROTO_CLASSES] = {"tcp", "udp", "icmp", "icmpv6", "other"};
  return proto_class < PP_PROTO_CLASSES ? kNames[proto_class] : "other";
}

const char* RttMethodName(unsigned proto_class, unsigned method) {
  if (method == PP_METHOD_SEQ_ACK) return "seq_ack";
  if (method == PP_METHOD_DNS) return "dns";
  if (method == PP_METHOD_SPIN) return "spin";
  return proto_class == PP_PROTO_TCP ? "timestamp" : "echo";
}

std::string DnsRcodeName(unsigned rcode) {
  static constexpr const char* kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                           "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "DSOTYPENI"};
  return rcode < std::size(kNames) ? kNames[rcode] : "RCODE" + std::to_string(rcode);
}

std::string ProtocolLabel(unsigned proto_class, unsigned method) {
  return method == PP_METHOD_SPIN ? "quic" : ProtoClassName(proto_class);
}

const char* HookName(unsigned direction) { return direction == PP_DIR_EGRESS ? "egress" : "ingress"; }

const char* DirectionName(unsigned direction) { return direction == PP_DIR_EGRESS ? "tx" : "rx"; }

}  // namespace pping
