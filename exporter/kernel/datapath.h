// SPDX-License-Identifier: Apache-2.0
// Owns the loaded BPF datapath (the libbpf skeleton): sized and configured
// from DatapathOptions before load, unloaded when destroyed. Everything it
// hands out (programs, maps) is a descriptor of the caller's own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "bpf/abi/pping_abi.h"
#include "exporter/kernel/datapath_options.h"
#include "exporter/kernel/maps.h"
#include "exporter/kernel/movable_map.h"
#include "exporter/kernel/programs.h"
#include "exporter/util/owned.h"

struct pping_bpf;  // the bpftool-generated skeleton

namespace pping {

// The datapath's .rodata, built from the options; throws UsageError for
// values it cannot represent.
pp_config MakeDatapathConfig(const DatapathOptions& options);

class Datapath {
 public:
  // Opens, sizes and loads the programs; throws Error with context.
  explicit Datapath(const DatapathOptions& options);
  ~Datapath();
  Datapath(const Datapath&) = delete;
  Datapath& operator=(const Datapath&) = delete;

  DatapathPrograms Programs() const;
  AggregationMaps aggregation_maps() const;
  GlobalCountersMap global_counters() const;
  // The flow and timestamp maps, which the cleanup may replace by larger
  // or smaller ones; and the maps in use now.
  std::shared_ptr<FlowMaps> flow_maps() const { return flows_; }
  std::shared_ptr<TimestampMaps> timestamp_maps() const { return timestamps_; }
  FlowMap flow_state() const { return flows_->current(); }
  TimestampMap packet_ts() const { return timestamps_->current(); }
  EventsMap events() const;

 private:
  static void Destroy(::pping_bpf* skeleton);
  Owned<::pping_bpf, &Datapath::Destroy> skeleton_;
  std::shared_ptr<FlowMaps> flows_;
  std::shared_ptr<TimestampMaps> timestamps_;
};

// Routes libbpf's own log lines into spdlog; call once at startup.
void RouteLibbpfLogToSpdlog();

// Lifts RLIMIT_MEMLOCK for pre-5.11 kernels; failure is only logged, since
// newer kernels charge BPF memory to the cgroup instead.
void TryRaiseMemlockLimit();

}  // namespace pping
