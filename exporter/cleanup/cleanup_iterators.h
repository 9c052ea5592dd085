// SPDX-License-Identifier: Apache-2.0
// The kernel-side cleanup: BPF map-element iterators over the datapath's
// flow and timestamp maps. Optional: kernels or platforms that refuse
// tracing programs (EPERM) leave the user-space pass in charge.
#pragma once

#include <memory>

#include "bpf/abi/pping_abi.h"
#include "exporter/cleanup/cleanup_options.h"
#include "exporter/kernel/maps.h"
#include "exporter/util/owned.h"

struct cleanup_bpf;  // the bpftool-generated skeleton
struct bpf_link;

namespace pping {

class CleanupIterators {
 public:
  // nullptr (and one log line) when the kernel will not load or attach them.
  static std::unique_ptr<CleanupIterators> TryLoad(const FlowMap& flows, const TimestampMap& timestamps,
                                                   const CleanupOptions& options);
  ~CleanupIterators();
  CleanupIterators(const CleanupIterators&) = delete;
  CleanupIterators& operator=(const CleanupIterators&) = delete;

  // One pass of both iterators as of `now_ns`; throws Error on failure.
  pp_cleanup_result Run(uint64_t now_ns);

 private:
  CleanupIterators() = default;
  void Load(const FlowMap& flows, const TimestampMap& timestamps, const CleanupOptions& options);
  static void Destroy(::cleanup_bpf* skeleton);
  static void DestroyLink(::bpf_link* link);

  // Declared first: destroyed after the links that run its programs.
  Owned<::cleanup_bpf, &CleanupIterators::Destroy> skeleton_;
  Owned<::bpf_link, &CleanupIterators::DestroyLink> flows_;
  Owned<::bpf_link, &CleanupIterators::DestroyLink> timestamps_;
};

}  // namespace pping
