// SPDX-License-Identifier: Apache-2.0
// The datapath's global counters, summed over CPUs into a plain struct.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "bpf/abi/pping_abi.h"

namespace pping {

struct GlobalCounters {
  using PerProto = std::array<uint64_t, PP_PROTO_CLASSES>;
  std::array<PerProto, PP_DIRECTIONS> ip_packets{};
  std::array<PerProto, PP_DIRECTIONS> ip_bytes{};
  std::array<uint64_t, PP_DIRECTIONS> non_ip_packets{};
  std::array<uint64_t, PP_DIRECTIONS> non_ip_bytes{};
  std::array<uint64_t, 4> ecn_packets{};
  uint64_t truncated_packets = 0;
  std::array<uint64_t, PP_MAPS> map_full{};
  std::array<uint64_t, PP_MAPS> map_alloc_failed{};
  uint64_t rtt_samples = 0;
  std::array<uint64_t, PP_OPEN_REASONS> flows_opened{};
  std::array<std::array<uint64_t, 2>, PP_CLOSE_REASONS> flows_closed{};  // [reason][bidirectional]
  uint64_t stamps_rate_limited = 0;
  uint64_t stamps_burst = 0;
  uint64_t events_lost = 0;
  uint64_t dns_queries = 0;
  uint64_t dns_late = 0;            // responses after the timeout: their queries count as unanswered
  uint64_t echoes_implausible = 0;  // echoes beyond every identifier sent their way: forged
};

// Reads the counters; a function so tests can substitute fixed values.
// Throws Error when they cannot be read.
using GlobalCountersReader = std::function<GlobalCounters()>;

}  // namespace pping
