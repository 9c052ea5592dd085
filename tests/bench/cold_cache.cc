// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/cold_cache.h"

#include <unistd.h>

#include "exporter/kernel/datapath.h"
#include "tests/bench/empty_program.h"
#include "tests/bench/exporter_probe.h"
#include "tests/bench/percentile.h"
#include "tests/support/packet_builder.h"

namespace pping::bench {
namespace {

using testing::Frame;

constexpr uint8_t kDataFlags = testing::kAck | testing::kPsh;

Frame Data(uint32_t tsval, uint32_t tsecr) {
  return testing::BuildTcp(
      {"198.51.100.7", "192.0.2.1", 40000, 443, kDataFlags, testing::TcpTimestamps{tsval, tsecr}, 1000});
}

Frame Ack(uint32_t tsval, uint32_t tsecr) {
  return testing::BuildTcp(
      {"192.0.2.1", "198.51.100.7", 443, 40000, testing::kAck, testing::TcpTimestamps{tsval, tsecr}, 0});
}

// Writes one byte per cache line of `bytes` of `buffer`.
void Evict(std::vector<char>& buffer, size_t bytes) {
  volatile char* p = buffer.data();
  for (size_t i = 0; i < bytes; i += 64) p[i] = static_cast<char>(p[i] + 1);
}

}  // namespace

std::vector<ColdCachePoint> MeasureColdCaches(unsigned samples) {
  const Datapath datapath{DatapathOptions{}};
  const HookPrograms programs = std::move(datapath.Programs().ethernet);
  const int egress = programs.tc_egress.get(), ingress = programs.tc_ingress.get();
  const UniqueFd empty_program = LoadEmptyTcProgram(std::string(kFloorPrefix) + "run");
  const int empty = empty_program.get();
  // Open the flow and answer its first sample; the timed packets repeat
  // the identifier and echo of the last two.
  RunFrame(egress, Data(1, 1));
  RunFrame(ingress, Ack(7, 1));
  const Frame data = Data(1, 7), ack = Ack(7, 1);
  const struct {
    const char* caches;
    size_t evict_bytes;
    unsigned repeat;
  } states[] = {{"none: 50 runs in a row (mean)", 0, 50},
                {"2 MiB written (L2 evicted)", size_t{2} << 20, 1},
                {"8 MiB written (L2 and part of L3)", size_t{8} << 20, 1}};
  std::vector<char> buffer(size_t{8} << 20);
  std::vector<ColdCachePoint> points;
  for (const auto& state : states) {
    std::vector<double> ns[3];
    const std::pair<int, const Frame*> runs[3] = {{empty, &data}, {egress, &data}, {ingress, &ack}};
    for (unsigned s = 0; s < samples; ++s) {
      for (unsigned k = 0; k < 3; ++k) {
        const unsigned which = (s + k) % 3;
        Evict(buffer, state.evict_bytes);
        ns[which].push_back(RunFrame(runs[which].first, *runs[which].second, state.repeat));
      }
    }
    points.push_back({state.caches, Median(ns[0]), Median(ns[1]), Median(ns[2])});
  }
  return points;
}

}  // namespace pping::bench
