// SPDX-License-Identifier: Apache-2.0
// Real traffic for the lab: TCP request/response over IPv4 and IPv6 (TCP
// timestamps on, as Linux has by default) and ICMP/ICMPv6 echo, from the
// client namespace to the server namespace, until destroyed.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace pping {

struct TrafficOptions {
  std::string client_netns;
  std::string server_netns;
  std::vector<std::string> server_addresses;  // one IPv4 and/or IPv6 each
  uint16_t tcp_port = 7007;
  std::chrono::milliseconds tcp_interval{10};
  std::chrono::milliseconds ping_interval{20};
};

class Traffic {
 public:
  explicit Traffic(const TrafficOptions& options);
  ~Traffic();
  Traffic(const Traffic&) = delete;
  Traffic& operator=(const Traffic&) = delete;

 private:
  std::vector<std::jthread> threads_;  // joined (stopped) first on destruction
};

}  // namespace pping
