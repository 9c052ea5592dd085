// SPDX-License-Identifier: Apache-2.0
// Owns the loaded BPF datapath (the libbpf skeleton): sized and configured
// from the exporter's options before load, unloaded when destroyed.
#pragma once

#include <memory>

extern "C" {
#include "pping_abi.h"
}

struct pping_bpf;  // the bpftool-generated skeleton

namespace pping {

struct DatapathOptions {
  pp_config datapath{};  // prefix masks, sampling and feature switches
  unsigned max_prefixes = 4096;
  unsigned flow_map_size = 16384;
  unsigned timestamp_map_size = 16384;
  unsigned events_buffer_bytes = 4096;  // the least the kernel takes when events are off
};

struct AggregationMapFds {
  int active_slot;  // ARRAY_OF_MAPS with the instance the datapath writes
  int instances[2];
};

class Datapath {
 public:
  // Opens, sizes and loads the programs; throws UsageError with context.
  explicit Datapath(const DatapathOptions& options);
  ~Datapath();
  Datapath(const Datapath&) = delete;
  Datapath& operator=(const Datapath&) = delete;

  // Programs for links with an Ethernet header, or (l3_only) without one.
  int ingress_program_fd(bool l3_only = false) const;
  int egress_program_fd(bool l3_only = false) const;
  int xdp_ingress_program_fd(bool l3_only = false) const;
  AggregationMapFds aggregation_maps() const;
  int global_counters_fd() const;
  int flow_state_fd() const;
  int packet_ts_fd() const;
  int events_fd() const;

 private:
  struct ::pping_bpf* skeleton_ = nullptr;
};

// Routes libbpf's own log lines into spdlog; call once at startup.
void RouteLibbpfLogToSpdlog();

// Lifts RLIMIT_MEMLOCK for pre-5.11 kernels; failure is only logged, since
// newer kernels charge BPF memory to the cgroup instead.
void TryRaiseMemlockLimit();

}  // namespace pping
