// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/exporter_run.h"

#include <chrono>
#include <fstream>
#include <map>

#include "exporter/config/duration.h"
#include "tests/lab/command.h"
#include "tests/support/http_get.h"

namespace pping::bench {
namespace {

constexpr const char* kBpfStats = "/proc/sys/kernel/bpf_stats_enabled";

// A baseline built from an older revision may know the flags by their
// names from before they moved into dotted namespaces with durations: the
// benchmark's arguments in its words.
std::vector<std::string> InTheWordsOf(const std::string& exporter, std::vector<std::string> args) {
  static std::map<std::string, bool> dotted;
  if (!dotted.contains(exporter)) {
    dotted[exporter] = RunCommand({exporter, "--help"}).output.find("--attach.netns") != std::string::npos;
  }
  if (dotted[exporter]) return args;
  static const std::map<std::string, std::string> kOldNames{{"--attach.netns", "--netns"},
                                                            {"--attach.interface", "--interface"},
                                                            {"--datapath.flow-map-size", "--flow-map-size"},
                                                            {"--datapath.timestamp-map-size", "--timestamp-map-size"},
                                                            {"--sampling.rate-limit", "--rate-limit"}};
  for (size_t i = 0; i < args.size(); ++i) {
    if (const auto old = kOldNames.find(args[i]); old != kOldNames.end()) args[i] = old->second;
    if (args[i] == "--cleanup.tcp-timeout" && i + 1 < args.size()) {  // whole seconds then
      const auto d = ParseDuration(args[i + 1]);
      if (d) args[i + 1] = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*d).count());
    }
  }
  return args;
}

}  // namespace

std::unique_ptr<testing::Process> StartExporter(const std::string& exporter, int port, std::vector<std::string> args) {
  std::vector<std::string> argv{exporter, "--web.listen-address", "127.0.0.1:" + std::to_string(port)};
  args = InTheWordsOf(exporter, std::move(args));
  argv.insert(argv.end(), args.begin(), args.end());
  auto process = std::make_unique<testing::Process>(argv);
  testing::WaitUntilReady(port);
  return process;
}

std::vector<ProgramCost> Delta::Finish(const std::string& scenario) const {
  std::vector<ProgramCost> out;
  if (before.empty()) return out;
  for (const auto& after : ProgramStatsOf(ids)) {
    for (const auto& b : before) {
      if (b.id != after.id || after.run_cnt <= b.run_cnt) continue;
      const auto packets = after.run_cnt - b.run_cnt;
      out.push_back({scenario, after.name,
                     static_cast<double>(after.run_time_ns - b.run_time_ns) / static_cast<double>(packets), packets});
    }
  }
  return out;
}

Delta Start(const std::vector<uint32_t>& ids) { return {ids, ProgramStatsOf(ids)}; }

BpfStatsOn::BpfStatsOn() {
  std::ifstream(kBpfStats) >> previous_;
  std::ofstream(kBpfStats) << "1";
}

BpfStatsOn::~BpfStatsOn() { std::ofstream(kBpfStats) << (previous_.empty() ? "0" : previous_); }

}  // namespace pping::bench
