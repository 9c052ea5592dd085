// SPDX-License-Identifier: Apache-2.0
// The kernel-side cleanup: BPF map-element iterators over the datapath's
// flow and timestamp maps. Optional: kernels or platforms that refuse
// tracing programs (EPERM) leave the user-space pass in charge.
#pragma once

#include <cstdint>
#include <memory>

#include "bpf/abi/pping_abi.h"
#include "exporter/cleanup/cleanup_options.h"
#include "exporter/kernel/maps.h"
#include "exporter/kernel/movable_map.h"
#include "exporter/util/owned.h"

struct cleanup_bpf;  // the bpftool-generated skeleton
struct bpf_link;

namespace pping {

class CleanupIterators {
 public:
  // nullptr (and one log line) when the kernel will not load or attach
  // them. They find the maps through the same slots as the datapath.
  static std::unique_ptr<CleanupIterators> TryLoad(std::shared_ptr<FlowMaps> flows,
                                                   std::shared_ptr<TimestampMaps> timestamps,
                                                   const CleanupOptions& options);
  ~CleanupIterators();
  CleanupIterators(const CleanupIterators&) = delete;
  CleanupIterators& operator=(const CleanupIterators&) = delete;

  // One pass of both iterators over the maps in use, as of `now_ns`;
  // throws Error on failure. Not during a move (the cleanup's thread makes
  // both).
  pp_cleanup_result Run(uint64_t now_ns);

 private:
  CleanupIterators() = default;
  void Load(const CleanupOptions& options);
  // Attaches the iterators anew if a move replaced a map since.
  void Follow();
  static void Destroy(::cleanup_bpf* skeleton);
  static void DestroyLink(::bpf_link* link);

  // Declared first: destroyed after the links that run its programs.
  Owned<::cleanup_bpf, &CleanupIterators::Destroy> skeleton_;
  std::shared_ptr<FlowMaps> flow_maps_;
  std::shared_ptr<TimestampMaps> timestamp_maps_;
  Owned<::bpf_link, &CleanupIterators::DestroyLink> flows_;
  Owned<::bpf_link, &CleanupIterators::DestroyLink> timestamps_;
  uint64_t flow_generation_ = 0, timestamp_generation_ = 0;  // of the maps the links iterate
};

}  // namespace pping
