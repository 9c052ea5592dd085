// SPDX-License-Identifier: Apache-2.0
// Datapath cost per packet as the number of concurrent flows grows, from
// BPF_PROG_TEST_RUN's in-kernel timing of the real programs.
#pragma once

#include <vector>

namespace pping::bench {

struct FlowCostPoint {
  unsigned flows = 0;
  double egress_ns = 0;   // median over sampled packets
  double ingress_ns = 0;
};

// For each flow count: load the datapath with default settings, open that
// many TCP flows, then time data packets (egress) and ACKs (ingress) of
// randomly chosen flows.
std::vector<FlowCostPoint> MeasureCostVsFlows(const std::vector<unsigned>& flow_counts, unsigned samples);

}  // namespace pping::bench
