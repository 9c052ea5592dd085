// SPDX-License-Identifier: Apache-2.0
// Datapath cost per packet as the number of concurrent flows grows, from
// BPF_PROG_TEST_RUN's in-kernel timing of the real programs.
#pragma once

#include <vector>

namespace pping::bench {

struct FlowCostPoint {
  unsigned flows = 0;
  double egress_ns = 0;  // median over sampled packets
  double ingress_ns = 0;
};

// For each flow count, a datapath with default settings holding that many
// open TCP flows; then data packets (egress) and ACKs (ingress) of randomly
// chosen flows are timed, every flow count in turn for each sample, so the
// machine's drift during the run falls on all of them alike.
std::vector<FlowCostPoint> MeasureCostVsFlows(const std::vector<unsigned>& flow_counts, unsigned samples);

}  // namespace pping::bench
