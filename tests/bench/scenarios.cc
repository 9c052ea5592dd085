// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/scenarios.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "exporter/lab/command.h"
#include "exporter/lab/lab.h"
#include "tests/bench/empty_program.h"
#include "tests/bench/exporter_probe.h"
#include "tests/bench/percentile.h"
#include "tests/bench/scrape_timer.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"

namespace pping::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::unique_ptr<testing::Process> StartExporter(const std::string& exporter, int port, std::vector<std::string> args) {
  std::vector<std::string> argv{exporter, "--web.listen-address", "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto process = std::make_unique<testing::Process>(argv);
  testing::WaitUntilReady(port);
  return process;
}

// No programs (default): finishes with no costs.
struct Delta {
  std::string prefix;
  std::vector<ProgramStats> before;
  std::vector<ProgramCost> Finish(const std::string& scenario) const {
    std::vector<ProgramCost> out;
    if (before.empty()) return out;
    for (const auto& after : ProgramStatsWithPrefix(prefix)) {
      for (const auto& b : before) {
        if (b.id != after.id || after.run_cnt <= b.run_cnt) continue;
        const auto packets = after.run_cnt - b.run_cnt;
        out.push_back({scenario, after.name,
                       static_cast<double>(after.run_time_ns - b.run_time_ns) / static_cast<double>(packets), packets});
      }
    }
    return out;
  }
};

// bpf_stats of the programs whose names start with `prefix`, from now.
Delta Start(const std::string& prefix = "pping_tc_") { return {prefix, ProgramStatsWithPrefix(prefix)}; }

// The first scrapes after start size the exporter's reused text buffers:
// their cost is reported apart from the steady state Prometheus sees.
constexpr unsigned kWarmupScrapes = 2;

void Scrape(
    int port, unsigned scrapes, ScrapeResult& r, const std::function<void()>& before_each = [] {}) {
  std::vector<double> ms;
  ScrapeTimer timer(port);
  for (unsigned i = 0; i < kWarmupScrapes + scrapes; ++i) {
    before_each();
    ms.push_back(timer.TimeOne());
    if (ms.back() < 0) throw std::runtime_error("a scrape failed or its body was cut short");
    if (std::getenv("PPING_BENCH_VERBOSE")) {
      std::fprintf(stderr, "scrape %u: %.1f ms, %zu bytes\n", i, ms.back(), timer.last_response().size());
    }
  }
  // The body's size and series, decoded from one more (untimed) scrape.
  if (const auto response = testing::HttpGet(port, "/metrics", testing::HttpVersion::k1_1)) {
    r.body_mib = static_cast<double>(response->body.size()) / (1024.0 * 1024.0);
    r.series = static_cast<unsigned>(
        testing::FindValue(testing::ParseExposition(response->body), "pping_exporter_tracked_prefixes", {})
            .value_or(0));
  }
  r.first_ms = *std::max_element(ms.begin(), ms.begin() + kWarmupScrapes);
  const std::vector<double> steady(ms.begin() + kWarmupScrapes, ms.end());
  r.p50_ms = Percentile(steady, 0.5);
  r.p99_ms = Percentile(steady, 0.99);
}

void ReadProcess(const testing::Process& p, int port, ScrapeResult& r) {
  const MemoryUse mem = MemoryOf(p.pid());
  r.rss_mib = mem.rss_mib;
  r.bpf_maps_mib = mem.bpf_maps_mib;
  r.cleanup_s = testing::FindValue(testing::ScrapeMetrics(port), "pping_cleanup_duration_seconds", {}).value_or(-1);
  // Cleanup passes are spaced 20 times their duration apart: the window
  // spans more than one spacing, so it holds a pass whatever its phase.
  const double window_s = std::clamp(25 * r.cleanup_s, 5.0, 60.0);
  const double cpu0 = CpuSeconds(p.pid());
  std::this_thread::sleep_for(std::chrono::duration<double>(window_s));
  r.idle_cpu_percent = (CpuSeconds(p.pid()) - cpu0) / window_s * 100.0;
}

std::string Hex(unsigned v) {
  char text[9];  // 8 hex digits and the terminator
  std::snprintf(text, sizeof(text), "%x", v);
  return text;
}

}  // namespace

ScrapeResult MeasureScrapeWithPrefixes(const std::string& exporter, unsigned prefixes, unsigned scrapes,
                                       const std::vector<std::string>& extra_args) {
  const int port = testing::FreeLocalPort();
  std::vector<std::string> args{"--interface",
                                "lo",
                                "--aggregation.max-prefixes",
                                std::to_string(prefixes * 2),
                                "--flow-map-size",
                                std::to_string(prefixes * 2),
                                "--timestamp-map-size",
                                std::to_string(prefixes * 2),
                                "--rate-limit",
                                "0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto p = StartExporter(exporter, port, args);
  const int egress = NewestProgramFd("pping_tc_egress"), ingress = NewestProgramFd("pping_tc_ingres");
  if (egress < 0 || ingress < 0) throw std::runtime_error("the exporter's programs are not loaded");
  // Every prefix gets an RTT sample (echo request out, reply in), so every
  // prefix is active in the kernel instance each scrape drains.
  uint16_t sequence = 1;
  const auto sample_every_prefix = [&] {
    for (unsigned i = 0; i < prefixes; ++i) {
      const std::string remote = "2001:db8:" + Hex(i) + "::1";
      RunFrame(egress, testing::BuildEcho("2001:db8:ffff::1", remote, true, 1, sequence));
      RunFrame(ingress, testing::BuildEcho(remote, "2001:db8:ffff::1", false, 1, sequence));
    }
    ++sequence;
  };
  sample_every_prefix();
  std::this_thread::sleep_for(2500ms);  // drained into user space
  ScrapeResult r;
  r.prefixes_or_flows = prefixes;
  // The datapath's cost per packet meanwhile: the fed samples (a few per
  // prefix per aggregation interval) and the scrapes' loopback traffic.
  const int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  const Delta costs = Start();
  Scrape(port, scrapes, r, sample_every_prefix);
  for (const ProgramCost& c : costs.Finish("")) {
    (c.program.find("egress") != std::string::npos ? r.egress_ns : r.ingress_ns) = c.ns_per_packet;
  }
  if (stats_fd >= 0) close(stats_fd);
  close(egress);
  close(ingress);
  ReadProcess(*p, port, r);
  return r;
}

ScrapeResult MeasureWithFlows(const std::string& exporter, unsigned flows, unsigned scrapes) {
  const int port = testing::FreeLocalPort();
  auto p = StartExporter(exporter, port,
                         {"--interface", "lo", "--flow-map-size", std::to_string(flows + flows / 4),
                          "--timestamp-map-size", std::to_string(flows + flows / 4), "--cleanup.tcp-timeout", "3600"});
  const int egress = NewestProgramFd("pping_tc_egress");
  for (unsigned i = 0; i < flows; ++i) {
    const std::string remote = "2001:db8:1:" + Hex(i >> 16) + "::" + Hex(i & 0xffff);
    RunFrame(egress, testing::BuildTcp({"2001:db8:ffff::1", remote, 40000, 443, testing::kAck | testing::kPsh,
                                        testing::TcpTimestamps{1, 1}, 100}));
  }
  close(egress);
  std::this_thread::sleep_for(3s);
  ScrapeResult r;
  r.prefixes_or_flows = flows;
  Scrape(port, scrapes, r);
  ReadProcess(*p, port, r);
  return r;
}

}  // namespace pping::bench

namespace pping::bench {
namespace {

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

// An iperf3 run with the programs whose names start with `programs` on the
// hooks, or with nothing attached (empty: no program is accounted). Where
// the traffic is CPU-bound, the programs' share of the busy CPU time is
// about what their own work costs in throughput: a far finer measure than
// the ratio of two runs, which vary by +-30 % here.
ArmRun IperfAccounted(const Lab& lab, const std::vector<std::string>& extra, const std::string& programs) {
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

void WriteSysctl(const std::string& path, const std::string& value) { std::ofstream(path) << value; }

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

// Bootstrap 95 % interval of the median of `v`: single runs here vary by
// +-30 %, so a median alone says little without it.
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

}  // namespace

TrafficReport MeasureTraffic(const std::string& exporter, unsigned rounds, unsigned cost_rounds,
                             const std::string& baseline) {
  Lab lab({"ppbench", 0ms, TrafficMix{false, false, false}, false});
  testing::Process server({"ip", "netns", "exec", lab.server_netns(), "iperf3", "-s"});
  std::this_thread::sleep_for(500ms);
  WriteSysctl("/proc/sys/kernel/bpf_stats_enabled", "1");
  const std::vector<std::string> attach{"--netns", lab.client_netns(), "--interface", lab.monitored_interface()};
  TrafficReport report;
  for (const char* direction : {"A->B", "B->A"}) {
    const std::vector<std::string> reverse =
        direction == std::string("B->A") ? std::vector<std::string>{"-R"} : std::vector<std::string>{};
    // The arms of a round: nothing attached, an empty tc program (what any
    // program on the hooks costs), the exporter.
    const std::function<ArmRun()> arms[] = {[&] { return IperfAccounted(lab, reverse, ""); },
                                            [&] {
                                              const EmptyTcProgram floor(lab.client_netns(), lab.monitored_interface());
                                              return IperfAccounted(lab, reverse, kFloorPrefix);
                                            },
                                            [&] {
                                              auto p = StartExporter(exporter, testing::FreeLocalPort(), attach);
                                              return IperfAccounted(lab, reverse, "pping_tc_");
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
    report.throughput.push_back({direction, Median(gbps[kNothing]), Median(gbps[kExporter]), Median(ratios), low, high,
                                 Median(floor_ratios), floor_low, floor_high, Median(busy), Median(shares[kExporter]),
                                 *share_low, *share_high, Median(shares[kEmptyProgram])});
  }
  const struct {
    const char* name;
    std::vector<std::string> args;
  } loads[] = {{"1 bulk TCP flow", {}}, {"64 TCP flows", {"-P", "64"}}};
  // Every load runs over an empty program (the floor), then over the
  // exporter's programs (and the baseline exporter's, if given), for
  // cost_rounds alternating rounds. A pause before each load lets the
  // previous one's deferred work (socket teardown, map element frees)
  // finish outside the measurement. `tag` tells the baseline's programs,
  // which have the same names, apart in the report.
  std::vector<ProgramCost> costs;
  unsigned round = 0;
  const auto run_loads = [&](const std::string& programs, const std::string& tag) {
    const auto record = [&](const Delta& d, const std::string& scenario) {
      for (auto& c : d.Finish(scenario)) {
        c.program = tag + c.program;
        c.round = round;
        costs.push_back(c);
      }
    };
    for (const auto& load : loads) {
      std::this_thread::sleep_for(2s);
      const Delta d = Start(programs);
      Iperf(lab, load.args);
      record(d, load.name);
    }
    std::this_thread::sleep_for(2s);
    const Delta d = Start(programs);
    RunCommand({"ip", "netns", "exec", lab.client_netns(), "ping", "-f", "-c", "20000", "-q", Lab::kServerV4});
    record(d, "ping flood");
  };
  const auto run_exporter = [&](const std::string& binary, const std::string& tag) {
    auto measured = StartExporter(binary, testing::FreeLocalPort(), attach);
    run_loads("pping_tc_", tag);
  };
  for (round = 0; round < cost_rounds; ++round) {
    {
      const EmptyTcProgram floor(lab.client_netns(), lab.monitored_interface());
      run_loads(kFloorPrefix, "");
    }
    // Odd rounds run the baseline first: neither always follows the floor.
    const bool baseline_first = !baseline.empty() && round % 2 == 1;
    if (baseline_first) run_exporter(baseline, kBaselineTag);
    run_exporter(exporter, "");
    if (!baseline.empty() && !baseline_first) run_exporter(baseline, kBaselineTag);
  }
  report.costs = MedianRoundPerProgram(costs);
  report.baseline_ratios = PairedRatios(costs, kBaselineTag);
  report.cost_rounds = cost_rounds;
  auto p = StartExporter(exporter, testing::FreeLocalPort(), attach);
  std::this_thread::sleep_for(2s);  // past start-up: the steady state
  {
    const Delta d = Start();
    const auto start = Clock::now();
    const double cpu0 = CpuSeconds(p->pid());
    Iperf(lab, {"-u", "-b", "800M", "-l", "1000"});  // ~100k packets/s
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    unsigned long long packets = 0;
    for (const auto& c : d.Finish("udp")) packets += c.packets;
    report.cpu = {static_cast<double>(packets) / seconds / 1000.0, (CpuSeconds(p->pid()) - cpu0) / seconds * 100.0};
  }
  WriteSysctl("/proc/sys/kernel/bpf_stats_enabled", "0");
  return report;
}

}  // namespace pping::bench
