// SPDX-License-Identifier: Apache-2.0
// A real DNS server for the lab: Debian's dnsmasq in a namespace, over UDP
// and TCP on the given addresses, answering example.test with an address
// and nx.test with NXDOMAIN, from nothing but its command line.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pping {

class DnsServer {
 public:
  static constexpr const char* kName = "example.test";    // NOERROR, one A record
  static constexpr const char* kMissingName = "nx.test";  // NXDOMAIN

  // Starts dnsmasq and waits until it answers (throws Error if it does not).
  DnsServer(const std::string& netns, const std::vector<std::string>& addresses);
  ~DnsServer();  // SIGTERM, and waits for it
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

 private:
  pid_t pid_ = -1;
};

}  // namespace pping
