// SPDX-License-Identifier: Apache-2.0
// A loaded datapath for BPF_PROG_TEST_RUN tests: runs crafted frames
// through the real ingress/egress programs and reads back what they
// recorded. Default options stamp every new identifier (no rate limit, no
// burst) so each test states the sampling it relies on. Time is moved by
// ageing the maps' state (Age), never by waiting.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "exporter/cleanup/cleanup_maps.h"
#include "exporter/kernel/aggregation_drain.h"
#include "exporter/kernel/datapath.h"
#include "exporter/kernel/map_keys.h"
#include "exporter/kernel/packet_runner.h"
#include "exporter/stats/aggregator.h"
#include "exporter/stats/global_counters.h"
#include "tests/support/packet_builder.h"

namespace pping::testing {

inline constexpr const char* kLocal4 = "198.51.100.7";
inline constexpr const char* kRemote4 = "192.0.2.10";
inline constexpr const char* kLocal6 = "2001:db8:aa::7";
inline constexpr const char* kRemote6 = "2001:db8:bb::10";

// Times of packets run with their own time (Replaying()): a capture's
// epoch time in ns, and a millisecond.
inline constexpr uint64_t kT0 = 1'795'694'400'000'000'000;
inline constexpr uint64_t kMs = 1'000'000;
// First sequence numbers of crafted TCP flows: the local side's, the
// remote side's.
inline constexpr uint32_t kIsn = 1000;
inline constexpr uint32_t kPeer = 5000;

// Datapath options with sampling switched off, to be adjusted per test.
DatapathOptions UnsampledOptions();
// The same, loaded for replay: each packet's time is given with it.
DatapathOptions Replaying();

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
  // Replaces the loaded datapath with one built from `options`.
  void Load(const DatapathOptions& options);

  void Egress(const Frame& frame) { Run(programs_.ethernet.tc_egress.get(), frame); }
  void Ingress(const Frame& frame) { Run(programs_.ethernet.tc_ingress.get(), frame); }
  // The same ingress core behind the XDP entry point.
  void IngressXdp(const Frame& frame);
  // With a datapath loaded for replay (Replaying()): the packet at
  // `time_ns`, `wire_len` long on the wire (0: the frame's length).
  // `segments`: the GSO segment count of a super-packet (0: one).
  PacketRunner::Result EgressAt(const Frame& frame, uint64_t time_ns, uint32_t wire_len = 0, uint16_t segments = 0);
  PacketRunner::Result IngressAt(const Frame& frame, uint64_t time_ns, uint32_t wire_len = 0, uint16_t segments = 0);

  // Moves every time the maps hold (flows' last packet, stamps, held
  // samples) `d` into the past: as if `d` had passed since.
  void Age(std::chrono::nanoseconds d);

  // Cumulative stats of one remote prefix, protocol, matching hook and
  // RTT method.
  PrefixStats Stats(const std::string& prefix, unsigned mapped_len, uint8_t proto, uint8_t matched_on = PP_DIR_INGRESS,
                    uint8_t method = PP_METHOD_IDENTIFIER);
  PrefixStats Tcp4(uint8_t matched_on = PP_DIR_INGRESS) {
    return Stats("192.0.2.0", 96 + 24, PP_PROTO_TCP, matched_on);
  }
  // The RTTs of kRemote4's prefix measured on sequence numbers.
  // Cumulative stats of one key (after a Sync()).
  PrefixStats Lookup(const PrefixKey& key);
  PrefixStats SeqAck4(uint8_t matched_on = PP_DIR_INGRESS) {
    return Stats("192.0.2.0", 96 + 24, PP_PROTO_TCP, matched_on, PP_METHOD_SEQ_ACK);
  }
  GlobalCounters Counters() { return counters_(); }
  const DatapathPrograms& programs() const { return programs_; }
  Datapath& datapath() { return *datapath_; }
  // The flow and timestamp maps in use (a move replaces them).
  FlowMap flows() const { return datapath_->flow_state(); }
  TimestampMap timestamps() const { return datapath_->packet_ts(); }
  // The cleanup's view of the loaded maps.
  std::unique_ptr<CleanupMaps> KernelCleanupMaps() const;
  // Flips and drains the kernel aggregation instances, as a scrape does.
  void Sync() { aggregator_->Sync(); }
  // Every prefix held after a Sync(), sorted by key.
  std::vector<PrefixSnapshot> Prefixes() {
    Sync();
    return aggregator_->Snapshot();
  }

 private:
  void Run(int prog_fd, const Frame& frame);

  std::unique_ptr<Datapath> datapath_;
  DatapathPrograms programs_;
  GlobalCountersReader counters_;
  std::unique_ptr<AggregationDrain> source_;
  std::unique_ptr<Aggregator> aggregator_;
};

}  // namespace pping::testing
