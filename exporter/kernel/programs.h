// SPDX-License-Identifier: Apache-2.0
// The loaded programs, as the attach stage receives them: each a
// descriptor of its own, so the programs stay loaded for as long as the
// attachments that may still need them (re-attaching a returning
// interface) are around, whatever happens to the loader.
#pragma once

#include "exporter/util/unique_fd.h"

namespace pping {

// The entry points for one kind of link.
struct HookPrograms {
  UniqueFd tc_ingress;
  UniqueFd tc_egress;
  UniqueFd xdp_ingress;
};

struct DatapathPrograms {
  HookPrograms ethernet;  // links whose packets start with an Ethernet header
  HookPrograms l3_only;   // links whose packets start at the IP header (tun, PPP, WireGuard)

  const HookPrograms& For(bool l3_only_link) const { return l3_only_link ? l3_only : ethernet; }
};

}  // namespace pping
