// SPDX-License-Identifier: Apache-2.0
// A two-namespace lab with a known delay and real traffic, for the demo and
// the end-to-end tests:
//
//   client netns  [ppc0 192.0.2.1 2001:db8:1::1] --veth-- [pps0 192.0.2.2 2001:db8:1::2]  server netns
//
// In the server namespace, packets from the client to the server's own
// addresses are policy-routed through a TUN delay line before local
// delivery, so every round trip from the client carries `delay` extra.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tests/lab/owned_netns.h"
#include "tests/lab/traffic.h"

namespace pping {

class DelayLine;
class Traffic;

struct LabOptions {
  // Namespaces are NAME-PID-N-c and NAME-PID-N-s: unique per process and
  // lab, so labs of several tests, demos or suites coexist on one host.
  std::string name;
  std::chrono::milliseconds delay{20};  // 0: a plain veth pair, no delay line
  TrafficMix traffic;
  bool ipv6 = true;            // also send traffic to the server's IPv6 address
  bool tcp_timestamps = true;  // off: TCP without the timestamp option, both sides
  unsigned drop_every = 0;     // N > 0: the delay line loses every Nth client packet
};

class Lab {
 public:
  static constexpr const char* kClientV4 = "192.0.2.1";
  static constexpr const char* kServerV4 = "192.0.2.2";
  static constexpr const char* kClientV6 = "2001:db8:1::1";
  static constexpr const char* kServerV6 = "2001:db8:1::2";

  // Builds everything; throws Error and leaves nothing behind on failure.
  // First removes the namespaces of labs whose process is gone (killed
  // before it could clean up).
  explicit Lab(const LabOptions& options);
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  const std::string& client_netns() const { return client_->name(); }
  const std::string& server_netns() const { return server_->name(); }
  std::string monitored_interface() const { return "ppc0"; }
  // The TUN device of the delay line, in the server namespace: a link
  // without an Ethernet header.
  std::string delay_interface() const;
  std::string Describe() const;

  // Deletes the veth pair and builds it again (new ifindexes), as when an
  // interface goes away and comes back.
  void RemoveLink();
  void AddLink();

 private:
  void RouteThroughDelayLine();

  LabOptions options_;
  std::string base_;
  // Declared first: removed after what runs inside them.
  std::unique_ptr<OwnedNetns> client_;
  std::unique_ptr<OwnedNetns> server_;
  std::unique_ptr<DelayLine> delay_line_;
  std::unique_ptr<Traffic> traffic_;
};

}  // namespace pping
