// SPDX-License-Identifier: Apache-2.0
// RTT and flow events as plain values: what the ring-buffer reader decodes
// and the formatters print. Wall-clock time and host-order ports.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

#include "bpf/abi/pping_abi.h"
#include "exporter/stats/prefix.h"

namespace pping {

// A flow printed the pping way: the sender of the stamped identifier first.
struct EventFlow {
  Address16 src{};
  uint16_t src_port = 0;
  Address16 dst{};
  uint16_t dst_port = 0;
  uint8_t ip_proto = 0;
};

struct RttEvent {
  std::chrono::system_clock::time_point time;
  EventFlow flow;
  std::chrono::nanoseconds rtt{0};
  std::chrono::nanoseconds min_rtt{0};
  uint64_t sent_packets = 0;
  uint64_t sent_bytes = 0;
  uint64_t rec_packets = 0;
  uint64_t rec_bytes = 0;
  bool match_on_egress = false;
  uint8_t method = PP_METHOD_IDENTIFIER;  // enum pp_rtt_method; PP_METHOD_DNS: a DNS response time
};

// Why a flow opened or closed.
// kCaptureEnd: a replay ended with the flow still open.
enum class FlowChange { kSyn, kSynAck, kFirstPacket, kFin, kRst, kTimeout, kEvicted, kCaptureEnd };

// Which side's packet did it; none for the cleanup's timeouts and evictions.
enum class Trigger { kSource, kDestination, kNone };

struct FlowEvent {
  std::chrono::system_clock::time_point time;
  EventFlow flow;
  bool opening = true;
  FlowChange reason = FlowChange::kFirstPacket;
  Trigger triggered_by = Trigger::kSource;
};

// A flow the exporter's cleanup closed (kTimeout, kEvicted): no packet
// triggered it.
FlowEvent CleanupClosedFlow(const pp_flow_key& key, std::chrono::system_clock::time_point time, FlowChange reason);

using Event = std::variant<RttEvent, FlowEvent>;

// Converts the datapath's times to wall-clock time: bpf_ktime_get_ns()
// (CLOCK_MONOTONIC) live; a replayed capture's times are wall-clock already.
class MonotonicToWallClock {
 public:
  MonotonicToWallClock();
  static MonotonicToWallClock ForCaptureTimes() { return MonotonicToWallClock(0); }
  std::chrono::system_clock::time_point operator()(uint64_t monotonic_ns) const;

 private:
  explicit MonotonicToWallClock(int64_t offset_ns) : offset_ns_(offset_ns) {}

  int64_t offset_ns_;
};

// Decodes one ring-buffer record; false for an unknown or short record.
bool DecodeEvent(const void* data, size_t size, const MonotonicToWallClock& clock, Event& out);

std::string ProtocolName(uint8_t ip_proto);  // "TCP", "ICMP", "ICMPv6"
// How the event's time was measured: "timestamp", "seq_ack", "echo", "dns".
const char* MethodName(const RttEvent& event);
// As ePPing prints them: "SYN", "SYN-ACK", "first observed packet", "FIN",
// "RST", "flow timeout", "evicted" (and "end of capture"); and "src",
// "dest", "none".
const char* FlowChangeName(FlowChange change);
const char* TriggerName(Trigger trigger);
// "192.0.2.1" or "2001:db8::1" (no prefix length).
std::string AddressText(const Address16& addr);

}  // namespace pping
