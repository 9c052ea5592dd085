// SPDX-License-Identifier: Apache-2.0
// The kernel objects a test or tool owns, found by what it owns them by:
// the programs a process it started holds (by id), and what is attached
// to an interface of a namespace it built. Never by name across the host,
// where other exporters may run.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "exporter/util/unique_fd.h"

namespace pping::testing {

// Ids of the BPF programs process `pid` holds open right now, each once.
std::vector<uint32_t> ProgramIdsHeldBy(pid_t pid);

// The name the kernel keeps for program `id` (at most 15 characters); ""
// once it is gone.
std::string ProgramName(uint32_t id);

// A new descriptor of the program of process `pid` named `name` (the
// kernel's truncated name); invalid if it has none.
UniqueFd ProgramFdHeldBy(pid_t pid, const std::string& name);

// Whether any of `ids` is still loaded after giving the kernel a moment
// to free detached programs (it does so after an RCU grace period).
bool AnyProgramStillLoaded(const std::vector<uint32_t>& ids);

// What BPF is attached to interface `ifname` of network namespace `netns`.
struct Attached {
  std::vector<uint32_t> tcx;          // program ids on TCX ingress and egress
  bool clsact = false;                // a clsact qdisc (with or without filters)
  bool tc_filters = false;            // BPF filters on its ingress or egress
  std::vector<uint32_t> tc_programs;  // the programs of those filters, one per filter
  bool xdp = false;
  uint32_t xdp_program = 0;  // the XDP program's id, if one is attached
  bool Anything() const { return !tcx.empty() || clsact || tc_filters || xdp; }
};
Attached AttachedTo(const std::string& netns, const std::string& ifname);

}  // namespace pping::testing
