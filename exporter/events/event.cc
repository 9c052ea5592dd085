// SPDX-License-Identifier: Apache-2.0
#include "exporter/events/event.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include <cstring>

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
                   e.match_on_egress != 0};
    return true;
  }
  if (header.type == PP_EVENT_FLOW && size >= sizeof(pp_flow_event)) {
    pp_flow_event e;
    std::memcpy(&e, data, sizeof(e));
    const bool opening = e.kind == PP_FLOW_OPENING;
    // Flows are printed local first; the trigger is the side that sent
    // the packet (local when it left through egress).
    out = FlowEvent{clock(e.hdr.timestamp_ns), Oriented(e.hdr.flow, true), opening,
                    opening ? OpenReasonName(e.reason) : CloseReasonName(e.reason), e.from_egress ? "src" : "dest"};
    return true;
  }
  return false;
}

FlowEvent CleanupClosedFlow(const pp_flow_key& key, std::chrono::system_clock::time_point time,
                            const std::string& reason) {
  return FlowEvent{time, Oriented(key, true), false, reason, "none"};
}

std::string ProtocolName(uint8_t ip_proto) {
  switch (ip_proto) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_ICMP: return "ICMP";
    case IPPROTO_ICMPV6: return "ICMPv6";
    default: return std::to_string(ip_proto);
  }
}

std::string OpenReasonName(unsigned reason) {
  switch (reason) {
    case PP_OPEN_SYN: return "SYN";
    case PP_OPEN_SYN_ACK: return "SYN-ACK";
    default: return "first observed packet";
  }
}

std::string CloseReasonName(unsigned reason) {
  switch (reason) {
    case PP_CLOSE_FIN: return "FIN";
    case PP_CLOSE_RST: return "RST";
    case PP_CLOSE_TIMEOUT: return "flow timeout";
    default: return "evicted";
  }
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
