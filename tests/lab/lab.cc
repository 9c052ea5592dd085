// SPDX-License-Identifier: Apache-2.0
#include "tests/lab/lab.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>

#include "exporter/util/error.h"
#include "exporter/util/netns.h"
#include "tests/lab/command.h"
#include "tests/lab/delay_line.h"
#include "tests/lab/traffic.h"

namespace pping {
namespace {

constexpr const char* kDelayDevice = "ppdelay";
constexpr const char* kDelayTable = "100";
constexpr const char* kClientMac = "02:00:00:00:0a:01";
constexpr const char* kServerMac = "02:00:00:00:0a:02";

void Ip(const std::string& netns, std::vector<std::string> args) {
  args.insert(args.begin(), {"ip", "-n", netns});
  RunOrThrow(args);
}

// Writes net.* settings through /proc/sys, which shows the namespace of
// the thread that opens it (so no sysctl binary is needed).
void Sysctl(const std::string& netns, const std::string& key, const std::string& value) {
  NetnsScope scope(netns);
  std::string path = "/proc/sys/" + key;
  std::replace(path.begin(), path.end(), '.', '/');
  std::ofstream file(path);
  file << value;
  file.close();
  if (!file) throw Error("lab: cannot set " + key + " in network namespace " + netns);
}

}  // namespace

Lab::Lab(const LabOptions& options)
    : options_(options),
      base_(UniqueNetnsBase(options.name)),
      client_(std::make_unique<OwnedNetns>(base_ + "-c")),
      server_(std::make_unique<OwnedNetns>(base_ + "-s")) {
  // A failure from here on tears down, in reverse, what was built.
  AddLink();
  if (!options_.tcp_timestamps) {
    for (const std::string& ns : {client_netns(), server_netns()}) Sysctl(ns, "net.ipv4.tcp_timestamps", "0");
  }
  if (options_.delay.count() > 0) {
    delay_line_ = std::make_unique<DelayLine>(server_netns(), kDelayDevice, options_.delay, options_.drop_every);
    RouteThroughDelayLine();
  }
  TrafficOptions traffic{client_netns(), server_netns(), {kServerV4}};
  if (options_.ipv6) traffic.server_addresses.push_back(kServerV6);
  traffic.mix = options_.traffic;
  traffic_ = std::make_unique<Traffic>(traffic);
}

Lab::~Lab() = default;

void Lab::RemoveLink() { Ip(client_netns(), {"link", "del", "ppc0"}); }

void Lab::AddLink() {
  RunOrThrow({"ip", "link", "add", "ppc0", "netns", client_netns(), "address", kClientMac, "type", "veth", "peer",
              "name", "pps0", "netns", server_netns(), "address", kServerMac});
  const struct {
    const std::string& netns;
    const char* dev;
    const char* v4;
    const char* v6;
    const char* peer_v4;
    const char* peer_v6;
    const char* peer_mac;
  } sides[] = {{client_netns(), "ppc0", kClientV4, kClientV6, kServerV4, kServerV6, kServerMac},
               {server_netns(), "pps0", kServerV4, kServerV6, kClientV4, kClientV6, kClientMac}};
  for (const auto& s : sides) {
    Ip(s.netns, {"link", "set", "lo", "up"});
    Ip(s.netns, {"addr", "add", std::string(s.v4) + "/24", "dev", s.dev});
    Ip(s.netns, {"addr", "add", std::string(s.v6) + "/64", "dev", s.dev, "nodad"});
    Ip(s.netns, {"link", "set", s.dev, "up"});
    // Static neighbours: address resolution must not ride the delay line.
    Ip(s.netns, {"neigh", "replace", s.peer_v4, "lladdr", s.peer_mac, "dev", s.dev, "nud", "permanent"});
    Ip(s.netns, {"neigh", "replace", s.peer_v6, "lladdr", s.peer_mac, "dev", s.dev, "nud", "permanent"});
  }
}

// Client packets to the server's addresses are forwarded into the TUN
// device instead of delivered; what comes back out of it (iif ppdelay)
// reaches the local table, which now sits behind the delay rule.
void Lab::RouteThroughDelayLine() {
  const std::string& ns = server_netns();
  Sysctl(ns, "net.ipv4.ip_forward", "1");
  Sysctl(ns, "net.ipv6.conf.all.forwarding", "1");
  Sysctl(ns, "net.ipv4.conf.all.rp_filter", "0");
  // Early demux would tie client segments to the server's sockets on
  // arrival, and forwarding drops any packet that already has a socket.
  Sysctl(ns, "net.ipv4.ip_early_demux", "0");
  Sysctl(ns, std::string("net.ipv4.conf.") + kDelayDevice + ".rp_filter", "0");
  Ip(ns, {"link", "set", kDelayDevice, "up"});
  for (const char* family : {"-4", "-6"}) {
    const std::string server = family == std::string("-4") ? kServerV4 : kServerV6;
    Ip(ns, {family, "route", "add", server, "dev", kDelayDevice, "table", kDelayTable});
    Ip(ns, {family, "rule", "add", "pref", "10", "iif", "pps0", "to", server, "lookup", kDelayTable});
    Ip(ns, {family, "rule", "add", "pref", "1000", "lookup", "local"});
    Ip(ns, {family, "rule", "del", "pref", "0"});
  }
}

std::string Lab::delay_interface() const { return kDelayDevice; }

std::string Lab::Describe() const {
  const TrafficMix& m = options_.traffic;
  std::string traffic;
  const auto add = [&traffic](const char* what) { traffic += (traffic.empty() ? "" : ", ") + std::string(what); };
  if (m.request_response) add("TCP request/response every 10 ms");
  if (m.ping) add("ping every 20 ms");
  if (m.paced_bulk) add("paced bulk TCP");
  if (m.short_connections) add("short TCP connections");
  if (m.dns) add("DNS queries to dnsmasq every 20 ms");
  return "client netns " + client_netns() + " (" + kClientV4 + ", " + kClientV6 + ") -> server netns " +
         server_netns() + " (" + kServerV4 + ", " + kServerV6 + "), " + std::to_string(options_.delay.count()) +
         " ms injected per round trip; " + (traffic.empty() ? "no traffic" : traffic) + ", v4 and v6";
}

}  // namespace pping
