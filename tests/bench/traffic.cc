// SPDX-License-Identifier: Apache-2.0
// The exporter under real traffic in the namespace lab: throughput with
// and without it (and with an empty program), and the bpf_stats cost per
// packet of its programs next to the floor and a baseline's.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "tests/bench/empty_program.h"
#include "tests/bench/exporter_probe.h"
#include "tests/bench/exporter_run.h"
#include "tests/bench/percentile.h"
#include "tests/bench/scenarios.h"
#include "tests/lab/command.h"
#include "tests/lab/lab.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"

namespace pping::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One iperf3 run from the client namespace; returns Gbit/s received. The
// server takes one client at a time, so a run right after another may be
// refused ("busy"): it is retried.
double IperfOnce(const Lab& lab, const std::vector<std::string>& extra);

double Iperf(const Lab& lab, const std::vector<std::string>& extra) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    const double gbps = IperfOnce(lab, extra);
    if (gbps > 0) return gbps;
    std::this_thread::sleep_for(1s);
  }
  return 0;
}

double IperfOnce(const Lab& lab, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{"ip", "netns", "exec", lab.client_netns(), "iperf3", "-c", Lab::kServerV4,
                                "-t", "2",     "-J"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const CommandResult r = RunCommand(argv);
  const auto json = nlohmann::json::parse(r.output, nullptr, false);
  if (json.is_discarded() || !json.contains("end")) return 0;
  const auto& end = json["end"];
  const auto& sum = end.contains("sum_received") ? end["sum_received"] : end["sum"];
  return sum.value("bits_per_second", 0.0) / 1e9;
}

// One throughput run, and where the machine's CPU time went meanwhile.
struct ArmRun {
  double gbps = 0;
  double busy_fraction = 0;  // of all CPUs' wall time, busy
  double program_share = 0;  // of that busy time, in the attached programs (bpf_stats)
};

// An iperf3 run with the programs `programs` on the hooks, or with nothing
// attached (empty: no program is accounted). Where
// the traffic is CPU-bound, the programs' share of the busy CPU time is
// about what their own work costs in throughput: a far finer measure than
// the ratio of two runs, which vary widely here (docs/performance.md).
ArmRun IperfAccounted(const Lab& lab, const std::vector<std::string>& extra, const std::vector<uint32_t>& programs) {
  const Delta d = programs.empty() ? Delta{} : Start(programs);
  const double busy0 = BusyCpuSeconds();
  const auto start = Clock::now();
  ArmRun run{Iperf(lab, extra)};
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  const double busy_s = BusyCpuSeconds() - busy0;
  double program_ns = 0;
  for (const auto& c : d.Finish("")) program_ns += c.ns_per_packet * static_cast<double>(c.packets);
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (wall_s > 0 && cpus > 0) run.busy_fraction = busy_s / (wall_s * static_cast<double>(cpus));
  if (busy_s > 0) run.program_share = program_ns / (busy_s * 1e9);
  return run;
}

// The rounds' costs grouped by load and program, in order of first appearance.
std::vector<std::vector<ProgramCost>> ByLoadAndProgram(const std::vector<ProgramCost>& rounds) {
  std::vector<std::vector<ProgramCost>> groups;
  for (const auto& c : rounds) {
    const auto same = std::find_if(groups.begin(), groups.end(), [&c](const std::vector<ProgramCost>& g) {
      return g.front().scenario == c.scenario && g.front().program == c.program;
    });
    if (same == groups.end()) {
      groups.push_back({c});
    } else {
      same->push_back(c);
    }
  }
  return groups;
}

// Per load and program, the round with the median cost.
std::vector<ProgramCost> MedianRoundPerProgram(const std::vector<ProgramCost>& rounds) {
  std::vector<ProgramCost> medians;
  for (auto& same : ByLoadAndProgram(rounds)) {
    std::sort(same.begin(), same.end(),
              [](const ProgramCost& a, const ProgramCost& b) { return a.ns_per_packet < b.ns_per_packet; });
    medians.push_back(same[same.size() / 2]);
  }
  return medians;
}

// Per load and program of pping, its cost over the baseline's of the same
// round, summarised over the rounds.
std::vector<PairedRatio> PairedRatios(const std::vector<ProgramCost>& rounds, const std::string& baseline_tag) {
  std::vector<PairedRatio> ratios;
  for (const auto& same : ByLoadAndProgram(rounds)) {
    if (same.front().program.starts_with(baseline_tag)) continue;
    std::vector<double> per_round;
    for (const auto& mine : same) {
      const auto base = std::find_if(rounds.begin(), rounds.end(), [&](const ProgramCost& b) {
        return b.round == mine.round && b.scenario == mine.scenario && b.program == baseline_tag + mine.program;
      });
      if (base != rounds.end()) per_round.push_back(mine.ns_per_packet / base->ns_per_packet);
    }
    if (per_round.empty()) continue;
    const auto [low, high] = std::minmax_element(per_round.begin(), per_round.end());
    ratios.push_back({same.front().scenario, same.front().program, Median(per_round), *low, *high});
  }
  return ratios;
}

// Bootstrap 95 % interval of the median of `v`: single runs here vary
// widely, so a median alone says little without it.
std::pair<double, double> MedianInterval(const std::vector<double>& v) {
  std::mt19937 random(42);
  std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
  std::vector<double> medians;
  for (int i = 0; i < 2000; ++i) {
    std::vector<double> sample(v.size());
    for (double& x : sample) x = v[pick(random)];
    medians.push_back(Median(std::move(sample)));
  }
  return {Percentile(medians, 0.025), Percentile(medians, 0.975)};
}

std::vector<std::string> AttachArgs(const Lab& lab) {
  return {"--attach.netns", lab.client_netns(), "--attach.interface", lab.monitored_interface()};
}

// Paired rounds in one direction. The arms of a round: nothing attached,
// an empty tc program (what any program on the hooks costs), the exporter.
TrafficResult MeasureThroughput(const Lab& lab, const std::string& exporter, const std::string& direction,
                                unsigned rounds) {
  const std::vector<std::string> reverse =
      direction == "B->A" ? std::vector<std::string>{"-R"} : std::vector<std::string>{};
  const std::function<ArmRun()> arms[] = {[&] { return IperfAccounted(lab, reverse, {}); },
                                          [&] {
                                            const EmptyTcProgram floor(lab.client_netns(), lab.monitored_interface());
                                            return IperfAccounted(lab, reverse, floor.program_ids());
                                          },
                                          [&] {
                                            auto p = StartExporter(exporter, testing::FreeLocalPort(), AttachArgs(lab));
                                            return IperfAccounted(lab, reverse, TcProgramIdsOf(p->pid()));
                                          }};
  constexpr size_t kArms = std::size(arms), kNothing = 0, kEmptyProgram = 1, kExporter = 2;
  std::vector<double> gbps[kArms], ratios, floor_ratios, busy, shares[kArms];
  for (unsigned r = 0; r < rounds; ++r) {
    // The runs of a round go back to back, so the machine's drift between
    // rounds cancels in their ratios; the arm that starts rotates.
    ArmRun round_runs[kArms];
    for (size_t k = 0; k < kArms; ++k) {
      const size_t arm = (r + k) % kArms;
      round_runs[arm] = arms[arm]();
    }
    for (size_t arm = 0; arm < kArms; ++arm) {
      gbps[arm].push_back(round_runs[arm].gbps);
      shares[arm].push_back(round_runs[arm].program_share);
    }
    busy.push_back(round_runs[kNothing].busy_fraction);
    ratios.push_back(round_runs[kExporter].gbps / round_runs[kNothing].gbps);
    floor_ratios.push_back(round_runs[kEmptyProgram].gbps / round_runs[kNothing].gbps);
  }
  const auto [low, high] = MedianInterval(ratios);
  const auto [floor_low, floor_high] = MedianInterval(floor_ratios);
  const auto [share_low, share_high] = std::minmax_element(shares[kExporter].begin(), shares[kExporter].end());
  return {direction,
          Median(gbps[kNothing]),
          Median(gbps[kExporter]),
          Median(ratios),
          low,
          high,
          Median(floor_ratios),
          floor_low,
          floor_high,
          Median(busy),
          Median(shares[kExporter]),
          *share_low,
          *share_high,
          Median(shares[kEmptyProgram])};
}

// net.ipv4.tcp_timestamps of both lab namespaces, for the scope's
// lifetime; the lab's default (on) after.
class TcpTimestamps {
 public:
  TcpTimestamps(const Lab& lab, bool on) : lab_(lab), changed_(!on) {
    if (changed_) Set("0");
  }
  ~TcpTimestamps() {
    if (changed_) Set("1");
  }
  TcpTimestamps(const TcpTimestamps&) = delete;
  TcpTimestamps& operator=(const TcpTimestamps&) = delete;

 private:
  void Set(const char* value) const {
    for (const std::string& ns : {lab_.client_netns(), lab_.server_netns()}) {
      RunCommand({"ip", "netns", "exec", ns, "sysctl", "-q", "-w", std::string("net.ipv4.tcp_timestamps=") + value});
    }
  }
  const Lab& lab_;
  bool changed_;
};

// Every load runs over an empty program (the floor), then over the
// exporter's programs (and the baseline exporter's, if given), for
// `cost_rounds` alternating rounds. A pause before each load lets the
// previous one's deferred work (socket teardown, map element frees) finish
// outside the measurement. The baseline's programs have the same names:
// their costs are tagged kBaselineTag.
std::vector<ProgramCost> MeasureLoadCosts(const Lab& lab, const std::string& exporter, const std::string& baseline,
                                          unsigned cost_rounds) {
  const struct {
    const char* name;
    std::vector<std::string> args;
    bool timestamps = true;  // off: both sides without the TCP timestamp option (SEQ/ACK)
  } loads[] = {
      {"1 bulk TCP flow", {}}, {"64 TCP flows", {"-P", "64"}}, {"1 bulk TCP flow without timestamps", {}, false}};
  std::vector<ProgramCost> costs;
  unsigned round = 0;
  const auto record = [&](const Delta& d, const std::string& scenario, const std::string& tag) {
    for (auto& c : d.Finish(scenario)) {
      c.program = tag + c.program;
      c.round = round;
      costs.push_back(c);
    }
  };
  const auto run_loads = [&](const std::vector<uint32_t>& programs, const std::string& tag) {
    for (const auto& load : loads) {
      const TcpTimestamps timestamps(lab, load.timestamps);
      std::this_thread::sleep_for(2s);
      const Delta d = Start(programs);
      Iperf(lab, load.args);
      record(d, load.name, tag);
    }
    std::this_thread::sleep_for(2s);
    const Delta d = Start(programs);
    RunCommand({"ip", "netns", "exec", lab.client_netns(), "ping", "-f", "-c", "20000", "-q", Lab::kServerV4});
    record(d, "ping flood", tag);
  };
  const auto run_exporter = [&](const std::string& binary, const std::string& tag) {
    auto measured = StartExporter(binary, testing::FreeLocalPort(), AttachArgs(lab));
    run_loads(TcProgramIdsOf(measured->pid()), tag);
  };
  for (round = 0; round < cost_rounds; ++round) {
    {
      const EmptyTcProgram floor(lab.client_netns(), lab.monitored_interface());
      run_loads(floor.program_ids(), "");
    }
    // Odd rounds run the baseline first: neither always follows the floor.
    const bool baseline_first = !baseline.empty() && round % 2 == 1;
    if (baseline_first) run_exporter(baseline, kBaselineTag);
    run_exporter(exporter, "");
    if (!baseline.empty() && !baseline_first) run_exporter(baseline, kBaselineTag);
  }
  return costs;
}

// The exporter's own CPU while its programs see about 100k packets/s.
CpuResult MeasureExporterCpu(const Lab& lab, const std::string& exporter) {
  auto p = StartExporter(exporter, testing::FreeLocalPort(), AttachArgs(lab));
  std::this_thread::sleep_for(2s);  // past start-up: the steady state
  const Delta d = Start(TcProgramIdsOf(p->pid()));
  const auto start = Clock::now();
  const double cpu0 = CpuSeconds(p->pid());
  Iperf(lab, {"-u", "-b", "800M", "-l", "1000"});
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  unsigned long long packets = 0;
  for (const auto& c : d.Finish("udp")) packets += c.packets;
  return {static_cast<double>(packets) / seconds / 1000.0, (CpuSeconds(p->pid()) - cpu0) / seconds * 100.0};
}

}  // namespace

TrafficReport MeasureTraffic(const std::string& exporter, unsigned rounds, unsigned cost_rounds,
                             const std::string& baseline) {
  Lab lab({"ppbench", 0ms, TrafficMix{false, false, false}, false});
  testing::Process server({"ip", "netns", "exec", lab.server_netns(), "iperf3", "-s"});
  std::this_thread::sleep_for(500ms);
  const BpfStatsOn stats;
  TrafficReport report;
  for (const char* direction : {"A->B", "B->A"}) {
    report.throughput.push_back(MeasureThroughput(lab, exporter, direction, rounds));
  }
  const std::vector<ProgramCost> costs = MeasureLoadCosts(lab, exporter, baseline, cost_rounds);
  report.costs = MedianRoundPerProgram(costs);
  report.baseline_ratios = PairedRatios(costs, kBaselineTag);
  report.cost_rounds = cost_rounds;
  report.cpu = MeasureExporterCpu(lab, exporter);
  return report;
}

}  // namespace pping::bench
