// SPDX-License-Identifier: Apache-2.0
#include "exporter/attach/interfaces.h"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fstream>
#include <sstream>

#include "exporter/util/error.h"
#include "exporter/util/netns.h"
#include "exporter/util/unique_fd.h"

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

// The link type (ARPHRD_*), asked of a socket in the current namespace:
// /sys/class/net would show the namespace sysfs was mounted in.
unsigned short LinkType(const std::string& name) {
  const UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  const int ret = fd ? ioctl(fd.get(), SIOCGIFHWADDR, &request) : -1;
  const int err = errno;
  if (ret != 0) throw Error(ErrnoMessage("read link type of " + name, err));
  return request.ifr_hwaddr.sa_family;
}

}  // namespace

bool IsL3OnlyLinkType(unsigned short arphrd) {
  switch (arphrd) {
    case ARPHRD_NONE:  // tun, WireGuard
    case ARPHRD_PPP:
    case ARPHRD_RAWIP:
    case ARPHRD_TUNNEL:
    case ARPHRD_TUNNEL6:
    case ARPHRD_SIT:
    case ARPHRD_IPGRE: return true;
    default: return false;
  }
}

Interface ResolveInterface(const std::string& name, const std::string& netns) {
  NetnsScope scope(netns);
  const unsigned ifindex = if_nametoindex(name.c_str());
  if (ifindex == 0) {
    throw UsageError("unknown interface " + name + (netns.empty() ? "" : " in network namespace " + netns));
  }
  return {name, static_cast<int>(ifindex), netns, IsL3OnlyLinkType(LinkType(name))};
}

std::string DefaultRouteInterface(const std::string& netns) {
  NetnsScope scope(netns);
  std::string iface = FindIpv4Default();
  if (iface.empty()) iface = FindIpv6Default();
  if (iface.empty()) throw UsageError("no default route to pick an interface from: pass --attach.interface");
  return iface;
}

}  // namespace pping
