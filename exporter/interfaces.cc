// SPDX-License-Identifier: Apache-2.0
#include "exporter/interfaces.h"

#include <net/if.h>

#include <fstream>
#include <sstream>

#include "exporter/error.h"
#include "exporter/netns.h"

namespace pping {
namespace {

// /proc/net/route: "Iface Destination Gateway ..." with hex destination/mask.
std::string FindIpv4Default() {
  std::ifstream routes("/proc/thread-self/net/route");
  std::string line;
  std::getline(routes, line);  // header
  while (std::getline(routes, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask;
    if (destination == "00000000" && mask == "00000000") return iface;
  }
  return "";
}

// /proc/net/ipv6_route: destination, its length, ..., interface last.
std::string FindIpv6Default() {
  std::ifstream routes("/proc/thread-self/net/ipv6_route");
  std::string line;
  while (std::getline(routes, line)) {
    std::istringstream fields(line);
    std::string destination, length, word, iface;
    fields >> destination >> length;
    while (fields >> word) iface = word;
    if (destination == std::string(32, '0') && length == "00" && iface != "lo") return iface;
  }
  return "";
}

}  // namespace

Interface ResolveInterface(const std::string& name, const std::string& netns) {
  NetnsScope scope(netns);
  const unsigned ifindex = if_nametoindex(name.c_str());
  if (ifindex == 0) {
    throw UsageError("unknown interface " + name + (netns.empty() ? "" : " in network namespace " + netns));
  }
  return {name, static_cast<int>(ifindex), netns};
}

std::string DefaultRouteInterface(const std::string& netns) {
  NetnsScope scope(netns);
  std::string iface = FindIpv4Default();
  if (iface.empty()) iface = FindIpv6Default();
  if (iface.empty()) throw UsageError("no default route to pick an interface from: pass --interface");
  return iface;
}

}  // namespace pping
