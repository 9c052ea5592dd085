// SPDX-License-Identifier: Apache-2.0
// The kernel-side cleanup: BPF map-element iterators over the datapath's
// flow and timestamp maps. Optional: kernels or platforms that refuse
// tracing programs (EPERM) leave the user-space sweep in charge.
#pragma once

#include <memory>

#include "exporter/config.h"
#include "exporter/datapath.h"

extern "C" {
#include "pping_abi.h"
}

struct cleanup_bpf;  // the bpftool-generated skeleton
struct bpf_link;

namespace pping {

class CleanupIterators {
 public:
  // nullptr (and one log line) when the kernel will not load or attach them.
  static std::unique_ptr<CleanupIterators> TryLoad(const Datapath& datapath, const CleanupOptions& options);
  ~CleanupIterators();
  CleanupIterators(const CleanupIterators&) = delete;
  CleanupIterators& operator=(const CleanupIterators&) = delete;

  // One pass of both iterators as of `now_ns`; throws Error on failure.
  pp_cleanup_result Run(uint64_t now_ns);

 private:
  CleanupIterators() = default;
  void Load(const Datapath& datapath, const CleanupOptions& options);

  ::cleanup_bpf* skeleton_ = nullptr;
  ::bpf_link* flows_ = nullptr;
  ::bpf_link* timestamps_ = nullptr;
};

}  // namespace pping
