// SPDX-License-Identifier: Apache-2.0
// An empty tc program ("return TC_ACT_UNSPEC") on both hooks of a lab
// interface. Its bpf_stats cost under the same traffic is the floor any
// datapath's cost sits on here: the accounting itself, the call and the
// cold caches of a loaded CPU. Named kFloorPrefix + "in" / "eg".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "exporter/util/unique_fd.h"

namespace pping {
class TcAttachment;
}

namespace pping::bench {

inline constexpr const char* kFloorPrefix = "pping_floor_";

// Loads the empty program under `name`.
UniqueFd LoadEmptyTcProgram(const std::string& name);

class EmptyTcProgram {
 public:
  // Attaches to `interface` inside network namespace `netns`.
  EmptyTcProgram(const std::string& netns, const std::string& interface);
  ~EmptyTcProgram();
  EmptyTcProgram(const EmptyTcProgram&) = delete;
  EmptyTcProgram& operator=(const EmptyTcProgram&) = delete;

  // The ids of its two programs, for their bpf_stats.
  std::vector<uint32_t> program_ids() const;

 private:
  UniqueFd ingress_, egress_;
  std::unique_ptr<TcAttachment> attachment_;
};

}  // namespace pping::bench
