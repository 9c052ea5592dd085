// SPDX-License-Identifier: Apache-2.0
// Finding the interfaces to monitor: by name, or the one carrying the
// default route, inside an optional named network namespace.
#pragma once

#include <string>

namespace pping {

struct Interface {
  std::string name;
  int ifindex = 0;
  std::string netns;     // empty: the exporter's own namespace
  bool l3_only = false;  // no Ethernet header (tun, PPP, WireGuard, IP tunnels)
};

// True for ARPHRD_* link types whose packets start at the IP header.
bool IsL3OnlyLinkType(unsigned short arphrd);

// Throws UsageError("unknown interface NAME") when it does not exist.
Interface ResolveInterface(const std::string& name, const std::string& netns);

// The interface of the IPv4 (else IPv6) default route; throws UsageError.
std::string DefaultRouteInterface(const std::string& netns);

}  // namespace pping
