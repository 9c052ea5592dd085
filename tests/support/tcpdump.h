// SPDX-License-Identifier: Apache-2.0
// A packet capture taken by the real tcpdump inside a network namespace,
// for as long as the object lives (or until Stop).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace pping::testing {

struct TcpdumpOptions {
  std::string netns;
  std::string interface;            // "any": a Linux cooked capture
  std::string file;                 // written as pcap, nanosecond time stamps
  unsigned snap_length = 0;         // 0: tcpdump's default (whole packets)
  std::string link_type;            // -y, e.g. LINUX_SLL2; empty: the interface's own
  std::vector<std::string> filter;  // a capture filter's words, e.g. {"tcp"}
};

class Tcpdump {
 public:
  // Returns once tcpdump is capturing; throws std::runtime_error with its
  // output if it does not get there.
  explicit Tcpdump(const TcpdumpOptions& options);
  ~Tcpdump();
  Tcpdump(const Tcpdump&) = delete;
  Tcpdump& operator=(const Tcpdump&) = delete;

  // Ends the capture (the file is complete afterwards); returns what
  // tcpdump said, including its "N packets captured" line.
  std::string Stop();

 private:
  std::optional<Process> process_;
};

}  // namespace pping::testing
