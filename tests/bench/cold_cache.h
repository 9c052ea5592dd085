// SPDX-License-Identifier: Apache-2.0
// Datapath cost per packet with cold caches. Under traffic the rest of the
// network stack runs between two packets and evicts the program's maps and
// code from the caches; BPF_PROG_TEST_RUN repeating one packet keeps them
// hot. Here single runs follow a write of a buffer larger than a cache
// level, next to an empty program timed the same way (whose cost is the
// test run's own): what the misses cost, without real traffic's noise.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pping::bench {

struct ColdCachePoint {
  std::string caches;                                  // what ran between two timed runs
  double empty_ns = 0, egress_ns = 0, ingress_ns = 0;  // medians
};

// The common packet: a data segment and an ACK that repeat their flow's
// identifier and echo (a running flow, default configuration), `samples`
// times per cache state, the three programs in rotating order.
std::vector<ColdCachePoint> MeasureColdCaches(unsigned samples);

}  // namespace pping::bench
