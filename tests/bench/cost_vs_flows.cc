// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/cost_vs_flows.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>

#include "exporter/kernel/datapath.h"
#include "tests/bench/exporter_probe.h"
#include "tests/bench/percentile.h"
#include "tests/support/packet_builder.h"

namespace pping::bench {
namespace {

using testing::BuildTcp;
using testing::Frame;
using testing::TcpSegment;
using testing::TcpTimestamps;

constexpr unsigned kRepeat = 50;  // runs per test-run call; the kernel reports the mean

// Flow i: local 198.51.100.7:(10000 + i % 50000) -> 192.0.(i / 50000 % 256).(i % 200 + 1):443
TcpSegment FlowSegment(unsigned i, bool egress, uint32_t tsval, uint32_t tsecr, size_t payload) {
  const std::string remote = "192.0." + std::to_string((i / 50000) % 256) + "." + std::to_string(i % 200 + 1);
  const auto local_port = static_cast<uint16_t>(10000 + i % 50000);
  const uint8_t flags = testing::kAck | (payload ? testing::kPsh : 0);
  if (egress) return {"198.51.100.7", remote, local_port, 443, flags, TcpTimestamps{tsval, tsecr}, payload};
  return {remote, "198.51.100.7", 443, local_port, flags, TcpTimestamps{tsval, tsecr}, payload};
}

// A loaded datapath holding `flows` open flows, and its timings.
struct FlowCountRun {
  // Every flow is open and has had one sample answered, as a running flow
  // has: its next new identifier is sampled.
  explicit FlowCountRun(unsigned flows)
      : flows(flows), datapath(SizedFor(flows)), programs(datapath.Programs().ethernet) {
    for (unsigned i = 0; i < flows; ++i) {
      RunFrame(programs.tc_egress.get(), BuildTcp(FlowSegment(i, true, 1, 1, 1000)), 1);
      RunFrame(programs.tc_ingress.get(), BuildTcp(FlowSegment(i, false, 7, 1, 0)), 1);
    }
  }

  static DatapathOptions SizedFor(unsigned flows) {
    DatapathOptions options;  // the defaults the docs recommend
    options.flow_map_size = std::max(16384u, flows * 2);
    options.timestamp_map_size = std::max(16384u, flows * 2);
    return options;
  }

  // Times one data packet with a new TSval and its echo, of flow `i`.
  void Sample(unsigned i, uint32_t tsval) {
    egress.push_back(RunFrame(programs.tc_egress.get(), BuildTcp(FlowSegment(i, true, tsval, 7, 1000)), kRepeat));
    ingress.push_back(RunFrame(programs.tc_ingress.get(), BuildTcp(FlowSegment(i, false, 7, tsval, 0)), kRepeat));
  }

  unsigned flows;
  Datapath datapath;
  HookPrograms programs;
  std::vector<double> egress, ingress;
};

}  // namespace

std::vector<FlowCostPoint> MeasureCostVsFlows(const std::vector<unsigned>& flow_counts, unsigned samples) {
  std::vector<std::unique_ptr<FlowCountRun>> runs;
  for (unsigned flows : flow_counts) runs.push_back(std::make_unique<FlowCountRun>(flows));
  std::mt19937 random(42);
  for (unsigned s = 0; s < samples; ++s) {
    const auto tsval = static_cast<uint32_t>(100 + s);
    // A different flow count goes first in each sample: none is always
    // timed right after the test-run setup of another.
    for (size_t k = 0; k < runs.size(); ++k) {
      FlowCountRun& run = *runs[(s + k) % runs.size()];
      run.Sample(std::uniform_int_distribution<unsigned>(0, run.flows - 1)(random), tsval);
    }
  }
  std::vector<FlowCostPoint> points;
  for (const auto& run : runs) points.push_back({run->flows, Median(run->egress), Median(run->ingress)});
  return points;
}

}  // namespace pping::bench
