// SPDX-License-Identifier: Apache-2.0
// Running the exporter under measurement: started on a free port and waited
// for, given its flags in the words of its revision, and the bpf_stats of
// its programs over a stretch of time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/bench/exporter_probe.h"
#include "tests/bench/scenarios.h"
#include "tests/support/process.h"

namespace pping::bench {

// Starts `exporter` serving on 127.0.0.1:port with `args`, and waits until
// it is ready.
std::unique_ptr<testing::Process> StartExporter(const std::string& exporter, int port, std::vector<std::string> args);

// The bpf_stats of some programs from a point in time; with no programs,
// it finishes with no costs.
struct Delta {
  std::vector<uint32_t> ids;
  std::vector<ProgramStats> before;
  // Per program that ran since: its ns per run and its runs.
  std::vector<ProgramCost> Finish(const std::string& scenario) const;
};

// bpf_stats of the programs `ids`, from now.
Delta Start(const std::vector<uint32_t>& ids);

// kernel.bpf_stats_enabled on while it lives, then as it was.
class BpfStatsOn {
 public:
  BpfStatsOn();
  ~BpfStatsOn();
  BpfStatsOn(const BpfStatsOn&) = delete;
  BpfStatsOn& operator=(const BpfStatsOn&) = delete;

 private:
  std::string previous_;
};

}  // namespace pping::bench
