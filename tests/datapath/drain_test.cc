// SPDX-License-Identifier: Apache-2.0
// The double-buffered aggregation maps through the real programs: entries
// made for active prefixes only, every update drained exactly once, entries
// of active prefixes reset and those of quiet ones deleted, and a burst of
// new prefixes told apart from a full map.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

// A per-CPU entry holds one value per CPU: the instances allocate entries
// for active prefixes only, so kernel memory follows the traffic, not
// max_prefixes x CPUs.
TEST_F(DatapathTest, AggregationInstancesAreNotPreallocated) {
  const AggregationMaps maps = datapath().aggregation_maps();
  for (const AggregationMap& instance : maps.instances) {
    bpf_map_info info{};
    __u32 size = sizeof(info);
    ASSERT_EQ(bpf_obj_get_info_by_fd(instance.fd(), &info, &size), 0);
    EXPECT_EQ(info.type, BPF_MAP_TYPE_PERCPU_HASH);
    EXPECT_TRUE(info.map_flags & BPF_F_NO_PREALLOC);
  }
}

TEST_F(DatapathTest, FlipDrainsEveryUpdateExactlyOnce) {
  for (int i = 0; i < 20; ++i) {
    Egress(BuildEcho(kLocal4, kRemote4, true, 3, static_cast<uint16_t>(i)));
    if (i % 3 == 0) Sync();
  }
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).tx_packets, 20u);
}

// Values of the entries an aggregation instance holds, CPUs summed.
std::vector<PrefixStats> InstanceEntries(int map_fd) {
  const int cpus = libbpf_num_possible_cpus();
  std::vector<PrefixStats> out;
  std::vector<uint8_t> values(kAggValueStride * static_cast<size_t>(cpus));
  for (const pp_agg_key& key : AllKeys<pp_agg_key>(map_fd)) {
    if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) continue;
    AddPerCpu(out.emplace_back(), values.data(), cpus);
  }
  return out;
}

// The datapath starts on instance 0, and each Sync flips once.
TEST_F(DatapathTest, DrainResetsActivePrefixesAndDeletesThemOnceQuiet) {
  const AggregationMaps maps = datapath().aggregation_maps();
  const int first = maps.instances[0].fd();
  Egress(BuildEcho(kLocal4, kRemote4, true, 3, 1));
  Sync();  // drains instance 0: the prefix was active, its entry is reset
  auto entries = InstanceEntries(first);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0], PrefixStats{}) << "kept, but reset to zero";
  Sync();  // back to instance 0, which finds the entry
  Egress(BuildEcho(kLocal4, kRemote4, true, 3, 2));
  Sync();  // drains instance 0: active again, reset again
  EXPECT_EQ(InstanceEntries(first).size(), 1u);
  Sync();  // instance 0 written again, with nothing for the prefix
  Sync();  // so its drain deletes the entry
  EXPECT_TRUE(InstanceEntries(first).empty());
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).tx_packets, 2u) << "each packet counted once";
}

TEST_F(DatapathTest, DrainKeepsAtMostHalfAnInstanceForTheNextInterval) {
  DatapathOptions options = UnsampledOptions();
  options.max_prefixes = 8;
  Load(options);
  for (int i = 0; i < 6; ++i) Egress(BuildEcho(kLocal6, "2001:db8:" + std::to_string(i + 1) + "::1", true, 3, 1));
  Sync();
  EXPECT_EQ(InstanceEntries(datapath().aggregation_maps().instances[0].fd()).size(), 4u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Stats("2001:db8:" + std::to_string(i + 1) + "::", 48, PP_PROTO_ICMPV6).tx_packets, 1u) << i;
  }
}

// The maps are not preallocated: a burst of new prefixes can outrun the
// kernel allocator's per-CPU caches. Whether it does here depends on the
// machine; either way every prefix gets an entry or is counted as an
// allocation failure, and none is taken for a full map.
TEST_F(DatapathTest, ABurstOfNewPrefixesIsNeverCountedAsAFullMap) {
  constexpr unsigned kPrefixes = 16384;
  DatapathOptions options = UnsampledOptions();
  options.max_prefixes = 4 * kPrefixes;
  Load(options);
  char remote[32];
  for (unsigned i = 0; i < kPrefixes; ++i) {
    std::snprintf(remote, sizeof(remote), "2001:db8:%x::1", i);
    Egress(BuildEcho(kLocal6, remote, true, 3, 1));
  }
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.map_full[PP_MAP_AGGREGATION], 0u);
  const size_t held = EntryCount<pp_agg_key>(datapath().aggregation_maps().instances[0].fd());
  EXPECT_EQ(held + c.map_alloc_failed[PP_MAP_AGGREGATION], kPrefixes);
  std::printf("%zu prefixes got an entry, %llu allocations failed\n", held,
              static_cast<unsigned long long>(c.map_alloc_failed[PP_MAP_AGGREGATION]));
}

}  // namespace
}  // namespace pping::testing
