// SPDX-License-Identifier: Apache-2.0
// Real traffic for the lab: TCP request/response over IPv4 and IPv6 (TCP
// timestamps as the namespaces' sysctls say) and ICMP/ICMPv6 echo, from the
// client namespace to the server namespace, until destroyed.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pping {

class DnsServer;

// Which kinds of traffic run; each towards every server address.
struct TrafficMix {
  bool request_response = true;  // small request, echoed reply, pause
  bool ping = true;              // ICMP/ICMPv6 echo
  bool paced_bulk = false;       // full-sized segments at a fixed pace, one way
  // A new connection per request, closed after its reply: alternately
  // with a FIN and, by an abortive close, with an RST.
  bool short_connections = false;
  // A DNS server (dnsmasq) on the server addresses, and queries to it over
  // UDP and TCP, a new socket each as stub resolvers do: for a name it
  // knows and, every third, one it answers with NXDOMAIN.
  bool dns = false;
};

struct TrafficOptions {
  std::string client_netns;
  std::string server_netns;
  std::vector<std::string> server_addresses;  // one IPv4 and/or IPv6 each
  TrafficMix mix;
  uint16_t echo_port = 7007;
  uint16_t discard_port = 7008;
  std::chrono::milliseconds tcp_interval{10};
  std::chrono::milliseconds ping_interval{20};
  std::chrono::microseconds bulk_interval{2000};
  std::chrono::milliseconds dns_interval{20};
};

class Traffic {
 public:
  explicit Traffic(const TrafficOptions& options);
  ~Traffic();
  Traffic(const Traffic&) = delete;
  Traffic& operator=(const Traffic&) = delete;

 private:
  void StartServer(const std::string& netns, uint16_t port, bool echo);

  std::unique_ptr<DnsServer> dns_server_;
  std::vector<std::jthread> threads_;  // joined (stopped) first on destruction, before the server goes
};

}  // namespace pping
