// SPDX-License-Identifier: Apache-2.0
// A capture taken while the exporter watched the same link live, replayed:
// every live RTT sample has its replayed twin, within 0.1 ms of it, and
// few replayed samples are missing live. The live hooks and the capture's tap see a packet a few
// microseconds apart, except where the kernel stamps a received packet for
// the tap when it is queued to the CPU's backlog and runs tc ingress when
// the backlog is processed: a busy CPU parts the two by more. So the median
// difference is held to 20 us, 95 % of the samples to 0.1 ms, all to 1 ms.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "tests/lab/lab.h"
#include "tests/lab/traffic.h"
#include "tests/support/http_get.h"
#include "tests/support/json_lines.h"
#include "tests/support/process.h"
#include "tests/support/root.h"
#include "tests/support/tcpdump.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using FlowKey = std::tuple<std::string, std::string, int64_t, std::string, int64_t>;

const std::vector<std::string> kEverySample = {"--sampling.rate-limit", "0",    "--sampling.burst-count", "0",
                                               "--output.format",       "jsonl"};

using testing::TempPath;

// "time rtt" of each sample, for a failure message.
std::string Listing(const std::vector<std::pair<int64_t, int64_t>>& samples) {
  std::string out;
  for (const auto& [time, rtt] : samples) out += std::to_string(time) + " " + std::to_string(rtt) + "\n";
  return out;
}

// RTTs in the order they were reported, per flow.
std::map<FlowKey, std::vector<std::pair<int64_t, int64_t>>> RttsByFlow(const std::string& path) {
  std::map<FlowKey, std::vector<std::pair<int64_t, int64_t>>> flows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const json e = json::parse(line);
    if (!e.contains("rtt")) continue;
    flows[{e["protocol"], e["src_ip"], e["src_port"], e["dest_ip"], e["dest_port"]}].emplace_back(e["timestamp"],
                                                                                                  e["rtt"]);
  }
  return flows;
}

std::string Describe(const FlowKey& k) {
  return std::get<0>(k) + " " + std::get<1>(k) + ":" + std::to_string(std::get<2>(k)) + " " + std::get<3>(k) + ":" +
         std::to_string(std::get<4>(k));
}

TEST(LiveVsReplay, TheCaptureGivesTheLiveSamples) {
  PPING_SKIP_UNLESS_ROOT();
  // Traffic starts only once both the capture and the exporter watch, and
  // stops before either does: both see every packet of every flow.
  Lab lab({.name = "pplive", .delay = 20ms, .traffic = {.request_response = false, .ping = false}});
  const std::string capture = TempPath("live.pcap"), live = TempPath("live.jsonl"), replay = TempPath("replay.jsonl");
  std::remove(live.c_str());
  std::remove(replay.c_str());
  testing::Tcpdump tcpdump({.netns = lab.client_netns(), .interface = lab.monitored_interface(), .file = capture});
  const int port = testing::FreeLocalPort();
  std::vector<std::string> flags = kEverySample;
  flags.insert(flags.end(), {"--output.write", live});
  testing::Process exporter(
      testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), port, flags));
  ASSERT_TRUE(testing::WaitUntilReady(port)) << exporter.Output();
  auto traffic = std::make_unique<Traffic>(TrafficOptions{.client_netns = lab.client_netns(),
                                                          .server_netns = lab.server_netns(),
                                                          .server_addresses = {Lab::kServerV4, Lab::kServerV6}});
  std::this_thread::sleep_for(2s);
  traffic.reset();
  std::this_thread::sleep_for(500ms);  // the closing handshakes cross the delay line
  const testing::Exit live_exit = exporter.Terminate();
  ASSERT_EQ(live_exit.code, 0) << live_exit.output;
  tcpdump.Stop();

  std::vector<std::string> args = {"replay", capture};
  args.insert(args.end(), kEverySample.begin(), kEverySample.end());
  args.insert(args.end(), {"--output.write", replay});
  const testing::Exit replay_exit = testing::RunExporter(args);
  ASSERT_EQ(replay_exit.code, 0) << replay_exit.output;

  const auto live_flows = RttsByFlow(live), replay_flows = RttsByFlow(replay);
  ASSERT_GE(live_flows.size(), 4u) << "TCP and echo, IPv4 and IPv6";
  // Paired by time: a live sample and its replayed twin are reported by
  // the same packet, whose capture and hook times differ by well under
  // 1 ms. Live, two CPUs racing for a held sample may cost one now and
  // then (bpf/held_stamp.h); the replay, on one CPU, never loses it.
  size_t samples = 0, beyond_100us = 0, lost_live = 0, replayed = 0;
  std::vector<int64_t> differences;
  for (const auto& [flow, live_rtts] : live_flows) {
    const auto found = replay_flows.find(flow);
    ASSERT_NE(found, replay_flows.end()) << Describe(flow) << " was not in the replay";
    const auto& replay_rtts = found->second;
    size_t r = 0;
    for (size_t i = 0; i < live_rtts.size(); ++i) {
      while (r < replay_rtts.size() && replay_rtts[r].first < live_rtts[i].first - 1'000'000) ++r;
      ASSERT_LT(r, replay_rtts.size()) << Describe(flow) << ": live sample " << i << " has no replayed twin\nlive:\n"
                                       << Listing(live_rtts) << "replay:\n"
                                       << Listing(replay_rtts);
      ASSERT_LE(std::abs(replay_rtts[r].first - live_rtts[i].first), 1'000'000)
          << Describe(flow) << ": live sample " << i << " has no replayed twin\nlive:\n"
          << Listing(live_rtts) << "replay:\n"
          << Listing(replay_rtts);
      differences.push_back(std::abs(replay_rtts[r].second - live_rtts[i].second));  // ns
      EXPECT_LE(differences.back(), 1'000'000) << Describe(flow) << " sample " << i;
      if (differences.back() > 100'000) ++beyond_100us;
      ++r;
    }
    samples += live_rtts.size();
    replayed += replay_rtts.size();
    lost_live += replay_rtts.size() - live_rtts.size();
  }
  EXPECT_LE(lost_live * 50, replayed) << lost_live << " of " << replayed << " samples missing live";
  EXPECT_EQ(replay_flows.size(), live_flows.size());
  EXPECT_GT(samples, 200u);
  ASSERT_FALSE(differences.empty());
  std::sort(differences.begin(), differences.end());
  std::cout << samples << " samples in " << live_flows.size() << " flows; |replay - live| median "
            << differences[differences.size() / 2] << " ns, max " << differences.back()
            << " ns, over 0.1 ms: " << beyond_100us << "; missing live: " << lost_live << "\n";
  EXPECT_LE(differences[differences.size() / 2], 20'000);
  EXPECT_LE(beyond_100us * 20, samples) << beyond_100us << " of " << samples << " samples differ by over 0.1 ms";
}

}  // namespace
}  // namespace pping
