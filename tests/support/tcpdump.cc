// SPDX-License-Identifier: Apache-2.0
#include "tests/support/tcpdump.h"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace pping::testing {

Tcpdump::Tcpdump(const TcpdumpOptions& o) {
  std::vector<std::string> argv = {"ip",
                                   "netns",
                                   "exec",
                                   o.netns,
                                   "tcpdump",
                                   "-i",
                                   o.interface,
                                   "-w",
                                   o.file,
                                   "-U",
                                   "-n",
                                   "--immediate-mode",
                                   "--time-stamp-precision",
                                   "nano"};
  if (o.snap_length) argv.insert(argv.end(), {"-s", std::to_string(o.snap_length)});
  if (!o.link_type.empty()) argv.insert(argv.end(), {"-y", o.link_type});
  argv.insert(argv.end(), o.filter.begin(), o.filter.end());
  process_.emplace(argv);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (process_->Output().find("listening on") == std::string::npos) {
    if (!process_->Running() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("tcpdump did not start capturing: " + process_->Output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Tcpdump::~Tcpdump() {
  if (process_) Stop();
}

std::string Tcpdump::Stop() {
  if (!process_) return "";
  // SIGTERM: tcpdump flushes the file and reports its counts.
  const Exit exit = process_->Terminate();
  process_.reset();
  return exit.output;
}

}  // namespace pping::testing
