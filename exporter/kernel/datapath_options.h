// SPDX-License-Identifier: Apache-2.0
// What the datapath is loaded with: the options it reads from .rodata and
// the sizes of its maps, all fixed before load.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pping {

// How many UDP ports may carry QUIC (pp_config.quic_ports).
inline constexpr size_t kMaxQuicPorts = 4;

// Which identifiers are stamped (see bpf/sampling.h).
struct SamplingOptions {
  std::chrono::nanoseconds rate_limit = std::chrono::milliseconds(100);  // least time between two stamps of a flow
  double rtt_rate = 0;                                                   // if > 0: rate limit = rtt_rate x flow RTT
  bool use_smoothed_rtt = false;  // rtt_rate scales the smoothed RTT (else the minimum)
  unsigned burst_count = 2;       // extra identifiers stamped after a sample
  std::chrono::nanoseconds burst_window = std::chrono::milliseconds(5);
};

struct DatapathOptions {
  unsigned ipv4_prefix_len = 24;  // remotes are grouped into prefixes of these lengths
  unsigned ipv6_prefix_len = 48;
  SamplingOptions sampling;
  bool include_local = false;  // also stamp on ingress and match on egress
  bool include_syn = false;    // a SYN alone opens a flow
  bool link_local = false;     // also aggregate link-local and multicast remotes
  bool per_interface = false;  // aggregate per device as well (the interface label)
  // UDP ports whose short-header packets are QUIC, for the spin bit (at
  // most PP_QUIC_PORTS; the config layer checks).
  std::vector<uint16_t> quic_ports = {443};
  bool track_retransmits = true;  // follow TCP sequence numbers to count retransmissions
  bool emit_events = false;       // write every RTT and flow event to the ring buffer
  // Packets come from a capture through PacketRunner: each brings its own
  // time and length on the wire, instead of the clock and the frame's.
  bool replay = false;
  unsigned max_prefixes = 4096;  // entries of each aggregation instance
  // The flow and timestamp maps' sizes at start, and what they may grow
  // to under load (the cleanup grows them; a maximum below the size at
  // start keeps that size).
  unsigned flow_map_size = 16384;
  unsigned timestamp_map_size = 16384;
  unsigned flow_map_max_size = 131072;
  unsigned timestamp_map_max_size = 131072;
  unsigned events_buffer_bytes = 1u << 20;  // a power of two; only with emit_events
};

}  // namespace pping
