// SPDX-License-Identifier: Apache-2.0
// The exporter holding many prefixes: started on a namespace's loopback of
// the benchmark's own, its prefixes given RTT samples through its own
// programs (BPF_PROG_TEST_RUN). Shared by the scrape and web parts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "exporter/util/unique_fd.h"
#include "tests/lab/owned_netns.h"
#include "tests/support/process.h"

namespace pping::bench {

// A namespace of the benchmark's own with its loopback up, for the
// exporter to attach to: never the host's interfaces.
struct OwnLoopback {
  OwnLoopback();
  std::vector<std::string> Args() const;
  OwnedNetns netns;
};

class PrefixedExporter {
 public:
  // `exporter` serving on a free port of 127.0.0.1 with room for
  // `prefixes` IPv6 /48 prefixes (kSized; kDefaultMaps: its default map
  // sizes), no sampling rate limit and `extra_args`; ready, its prefixes
  // not yet sampled.
  enum class Maps { kSized, kDefault };
  PrefixedExporter(const std::string& exporter, unsigned prefixes, const std::vector<std::string>& extra_args,
                   Maps maps = Maps::kSized);
  ~PrefixedExporter();
  PrefixedExporter(const PrefixedExporter&) = delete;
  PrefixedExporter& operator=(const PrefixedExporter&) = delete;

  // One RTT sample for every prefix (echo request out, reply in).
  void SampleEveryPrefix();

  int port() const { return port_; }
  int ingress_program() const { return ingress_.get(); }
  testing::Process& process() { return *process_; }

 private:
  int port_;
  unsigned prefixes_;
  uint16_t sequence_ = 1;
  OwnLoopback loopback_;  // outlives the exporter attached to it
  std::unique_ptr<testing::Process> process_;
  UniqueFd egress_, ingress_;
};

}  // namespace pping::bench
