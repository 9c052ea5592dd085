// SPDX-License-Identifier: Apache-2.0
#include "exporter/console/event.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include <cstring>

#include "exporter/kernel/abi_convert.h"
#include "exporter/stats/names.h"

namespace pping {
namespace {

int64_t ClockNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The kernel key is local/remote; an event names the stamped sender first.
EventFlow Oriented(const pp_flow_key& key, bool local_sent) {
  EventFlow f;
  const Address16 local = ToAddress16(key.local), remote = ToAddress16(key.remote);
  const uint16_t local_port = ntohs(key.local_port), remote_port = ntohs(key.remote_port);
  f.src = local_sent ? local : remote;
  f.src_port = local_sent ? local_port : remote_port;
  f.dst = local_sent ? remote : local;
  f.dst_port = local_sent ? remote_port : local_port;
  f.ip_proto = key.ip_proto;
  return f;
}

// The kernel's open and close reasons (enum pp_open_reason, pp_close_reason).
FlowChange OpenedBecause(unsigned reason) {
  switch (reason) {
    case PP_OPEN_SYN: return FlowChange::kSyn;
    case PP_OPEN_SYN_ACK: return FlowChange::kSynAck;
    default: return FlowChange::kFirstPacket;
  }
}

FlowChange ClosedBecause(unsigned reason) {
  switch (reason) {
    case PP_CLOSE_FIN: return FlowChange::kFin;
    case PP_CLOSE_RST: return FlowChange::kRst;
    case PP_CLOSE_TIMEOUT: return FlowChange::kTimeout;
    default: return FlowChange::kEvicted;
  }
}

}  // namespace

MonotonicToWallClock::MonotonicToWallClock() : offset_ns_(ClockNs(CLOCK_REALTIME) - ClockNs(CLOCK_MONOTONIC)) {}

std::chrono::system_clock::time_point MonotonicToWallClock::operator()(uint64_t monotonic_ns) const {
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::nanoseconds(static_cast<int64_t>(monotonic_ns) + offset_ns_)));
}

bool DecodeEvent(const void* data, size_t size, const MonotonicToWallClock& clock, Event& out) {
  if (size < sizeof(pp_event_header)) return false;
  pp_event_header header;
  std::memcpy(&header, data, sizeof(header));
  if (header.type == PP_EVENT_RTT && size >= sizeof(pp_rtt_event)) {
    pp_rtt_event e;
    std::memcpy(&e, data, sizeof(e));
    out = RttEvent{clock(e.hdr.timestamp_ns),
                   Oriented(e.hdr.flow, !e.match_on_egress),
                   std::chrono::nanoseconds(e.rtt_ns),
                   std::chrono::nanoseconds(e.min_rtt_ns),
                   e.sent_packets,
                   e.sent_bytes,
                   e.rec_packets,
                   e.rec_bytes,
                   e.match_on_egress != 0,
                   e.method};
    return true;
  }
  if (header.type == PP_EVENT_FLOW && size >= sizeof(pp_flow_event)) {
    pp_flow_event e;
    std::memcpy(&e, data, sizeof(e));
    const bool opening = e.kind == PP_FLOW_OPENING;
    // Flows are printed local first; the trigger is the side that sent
    // the packet (local when it left through egress).
    out = FlowEvent{clock(e.hdr.timestamp_ns), Oriented(e.hdr.flow, true), opening,
                    opening ? OpenedBecause(e.reason) : ClosedBecause(e.reason),
                    e.from_egress ? Trigger::kSource : Trigger::kDestination};
    return true;
  }
  return false;
}

FlowEvent CleanupClosedFlow(const pp_flow_key& key, std::chrono::system_clock::time_point time, FlowChange reason) {
  return FlowEvent{time, Oriented(key, true), false, reason, Trigger::kNone};
}

const char* MethodName(const RttEvent& event) {
  // Only TCP against the rest tells the identifier methods apart.
  return RttMethodName(event.flow.ip_proto == IPPROTO_TCP ? PP_PROTO_TCP : PP_PROTO_ICMP, event.method);
}

std::string ProtocolName(uint8_t ip_proto) {
  switch (ip_proto) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_ICMP: return "ICMP";
    case IPPROTO_ICMPV6: return "ICMPv6";
    case IPPROTO_UDP: return "UDP";
    default: return std::to_string(ip_proto);
  }
}

const char* FlowChangeName(FlowChange change) {
  switch (change) {
    case FlowChange::kSyn: return "SYN";
    case FlowChange::kSynAck: return "SYN-ACK";
    case FlowChange::kFirstPacket: return "first observed packet";
    case FlowChange::kFin: return "FIN";
    case FlowChange::kRst: return "RST";
    case FlowChange::kTimeout: return "flow timeout";
    case FlowChange::kEvicted: return "evicted";
    case FlowChange::kCaptureEnd: return "end of capture";
  }
  return "evicted";
}

const char* TriggerName(Trigger trigger) {
  switch (trigger) {
    case Trigger::kSource: return "src";
    case Trigger::kDestination: return "dest";
    case Trigger::kNone: return "none";
  }
  return "none";
}

std::string AddressText(const Address16& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (IsMappedIpv4(addr)) {
    inet_ntop(AF_INET, addr.data() + 12, text, sizeof(text));
  } else {
    inet_ntop(AF_INET6, addr.data(), text, sizeof(text));
  }
  return text;
}

}  // namespace pping
