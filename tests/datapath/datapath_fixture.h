// SPDX-License-Identifier: Apache-2.0
// A loaded datapath for BPF_PROG_TEST_RUN tests: runs crafted frames
// through the real ingress/egress programs and reads back what they
// recorded. Default options stamp every new identifier (no rate limit, no
// burst) so each test states the sampling it relies on.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "exporter/aggregator.h"
#include "exporter/bpf_aggregation_source.h"
#include "exporter/config.h"
#include "exporter/datapath.h"
#include "exporter/global_counters.h"
#include "exporter/map_keys.h"
#include "tests/datapath/packet_builder.h"

namespace pping::testing {

inline constexpr const char* kLocal4 = "198.51.100.7";
inline constexpr const char* kRemote4 = "192.0.2.10";
inline constexpr const char* kLocal6 = "2001:db8:aa::7";
inline constexpr const char* kRemote6 = "2001:db8:bb::10";

// A config with sampling switched off, to be adjusted per test.
Config UnsampledConfig();

TcpSegment Out4(uint8_t flags, uint32_t tsval, uint32_t tsecr, size_t payload);
TcpSegment In4(uint8_t flags, uint32_t tsval, uint32_t tsecr, size_t payload = 0);

// How many entries a map holds.
template <typename Key>
size_t EntryCount(int map_fd) {
  return AllKeys<Key>(map_fd).size();
}

// The key of the one flow in the flow map (a test failure if not just one).
pp_flow_key OnlyFlowKey(int map_fd);
// The state of that flow.
pp_flow_state OnlyFlow(int map_fd);

class DatapathTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Replaces the loaded datapath with one built from `config`.
  void Load(const Config& config);

  void Egress(const Frame& frame) { Run(datapath_->egress_program_fd(), frame); }
  void Ingress(const Frame& frame) { Run(datapath_->ingress_program_fd(), frame); }
  // The same ingress core behind the XDP entry point.
  void IngressXdp(const Frame& frame);

  // Cumulative stats of one remote prefix, protocol and matching hook.
  PrefixStats Stats(const std::string& prefix, unsigned mapped_len, uint8_t proto, uint8_t matched_on = PP_DIR_INGRESS);
  PrefixStats Tcp4(uint8_t matched_on = PP_DIR_INGRESS) {
    return Stats("192.0.2.0", 96 + 24, PP_PROTO_TCP, matched_on);
  }
  GlobalCounters Counters();
  Datapath& datapath() { return *datapath_; }
  // Flips and drains the kernel aggregation instances, as a scrape does.
  void Sync() { aggregator_->Sync(); }

 private:
  void Run(int prog_fd, const Frame& frame);

  std::unique_ptr<Datapath> datapath_;
  std::unique_ptr<BpfAggregationSource> source_;
  std::unique_ptr<Aggregator> aggregator_;
};

}  // namespace pping::testing
