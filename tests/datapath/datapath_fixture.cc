// SPDX-License-Identifier: Apache-2.0
#include "tests/datapath/datapath_fixture.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <cerrno>
#include <cstring>

#include "exporter/cleanup/bpf_cleanup_maps.h"
#include "exporter/kernel/global_counters_reader.h"
#include "exporter/kernel/map_batch.h"
#include "exporter/stats/prefix.h"
#include "tests/support/root.h"

namespace pping::testing {

DatapathOptions UnsampledOptions() {
  DatapathOptions options;
  options.sampling.rate_limit = std::chrono::milliseconds(0);
  options.sampling.burst_count = 0;
  return options;
}

DatapathOptions Replaying() {
  DatapathOptions options = UnsampledOptions();
  options.replay = true;
  return options;
}

TcpSegment Out4(uint8_t flags, uint32_t tsval, uint32_t tsecr, size_t payload) {
  return {kLocal4, kRemote4, 40000, 80, flags, TcpTimestamps{tsval, tsecr}, payload};
}

TcpSegment In4(uint8_t flags, uint32_t tsval, uint32_t tsecr, size_t payload) {
  return {kRemote4, kLocal4, 80, 40000, flags, TcpTimestamps{tsval, tsecr}, payload};
}

pp_flow_key OnlyFlowKey(int map_fd) {
  const std::vector<pp_flow_key> keys = AllKeys<pp_flow_key>(map_fd);
  EXPECT_EQ(keys.size(), 1u);
  return keys.empty() ? pp_flow_key{} : keys.front();
}

pp_flow_state OnlyFlow(int map_fd) {
  const pp_flow_key key = OnlyFlowKey(map_fd);
  pp_flow_state state{};
  EXPECT_EQ(bpf_map_lookup_elem(map_fd, &key, &state), 0);
  return state;
}

void DatapathTest::SetUp() {
  PPING_SKIP_UNLESS_ROOT();
  Load(UnsampledOptions());
}

void DatapathTest::Load(const DatapathOptions& options) {
  aggregator_.reset();
  source_.reset();
  datapath_ = std::make_unique<Datapath>(options);
  programs_ = datapath_->Programs();
  counters_ = MakeGlobalCountersReader(datapath_->global_counters());
  source_ = std::make_unique<AggregationDrain>(datapath_->aggregation_maps());
  aggregator_ = std::make_unique<Aggregator>(*source_);
}

void DatapathTest::Age(std::chrono::nanoseconds d) {
  const auto by = static_cast<uint64_t>(d.count());
  const auto back = [by](auto& t) {
    if (t > PP_HELD_WRITING) t -= by;
  };
  std::vector<std::pair<pp_flow_key, pp_flow_state>> flows;
  ForEachEntry<pp_flow_key, pp_flow_state>(
      this->flows().fd(), [&](const pp_flow_key& k, const pp_flow_state& f) { flows.emplace_back(k, f); });
  for (auto& [key, flow] : flows) {
    back(flow.last_seen_ns);
    for (pp_dir_sampling& s : flow.sampling) {
      back(s.last_stamp_ns);
      back(s.held_ns);
    }
    ASSERT_TRUE(this->flows().Update(key, flow, BPF_EXIST));
  }
  std::vector<std::pair<pp_packet_key, uint64_t>> stamps;
  ForEachEntry<pp_packet_key, uint64_t>(timestamps().fd(),
                                        [&](const pp_packet_key& k, uint64_t t) { stamps.emplace_back(k, t); });
  for (auto& [key, stamped] : stamps) {
    back(stamped);
    ASSERT_TRUE(timestamps().Update(key, stamped, BPF_EXIST));
  }
}

std::unique_ptr<CleanupMaps> DatapathTest::KernelCleanupMaps() const {
  return std::make_unique<BpfCleanupMaps>(datapath_->flow_maps(), datapath_->timestamp_maps());
}

void DatapathTest::Run(int prog_fd, const Frame& frame) {
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  ASSERT_EQ(bpf_prog_test_run_opts(prog_fd, &opts), 0) << "test run: " << std::strerror(errno);
  // TC_ACT_UNSPEC (= TCX_NEXT): the datapath never drops or redirects.
  EXPECT_EQ(static_cast<int>(opts.retval), TC_ACT_UNSPEC);
}

void DatapathTest::IngressXdp(const Frame& frame) {
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  ASSERT_EQ(bpf_prog_test_run_opts(programs_.ethernet.xdp_ingress.get(), &opts), 0)
      << "test run: " << std::strerror(errno);
  EXPECT_EQ(opts.retval, static_cast<__u32>(XDP_PASS));
}

PacketRunner::Result DatapathTest::EgressAt(const Frame& frame, uint64_t time_ns, uint32_t wire_len,
                                            uint16_t segments) {
  return PacketRunner(UniqueFd::Dup(programs_.ethernet.tc_egress.get())).Run(frame, time_ns, wire_len, segments);
}

PacketRunner::Result DatapathTest::IngressAt(const Frame& frame, uint64_t time_ns, uint32_t wire_len,
                                             uint16_t segments) {
  return PacketRunner(UniqueFd::Dup(programs_.ethernet.tc_ingress.get())).Run(frame, time_ns, wire_len, segments);
}

PrefixStats DatapathTest::Stats(const std::string& prefix, unsigned mapped_len, uint8_t proto, uint8_t matched_on,
                                uint8_t method) {
  aggregator_->Sync();
  return Lookup({ParseAddress(prefix), static_cast<uint8_t>(mapped_len), proto, matched_on, method});
}

PrefixStats DatapathTest::Lookup(const PrefixKey& key) {
  for (const auto& p : aggregator_->Snapshot()) {
    if (p.key == key) return p.total;
  }
  return {};
}

}  // namespace pping::testing
