// SPDX-License-Identifier: Apache-2.0
// pping_bench: measures the datapath and the exporter on this machine, side
// by side in one run, and writes a markdown report plus the data of the
// cost-per-flow plot. Needs root. Run through scripts/benchmark.sh.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "tests/bench/cold_cache.h"
#include "tests/bench/cost_vs_flows.h"
#include "tests/bench/empty_program.h"
#include "tests/bench/replay_speed.h"
#include "tests/bench/scenarios.h"

using namespace pping::bench;

namespace {

std::string Format(const char* fmt, double v) {
  char text[64];
  std::snprintf(text, sizeof(text), fmt, v);
  return text;
}

void ReportCostVsFlows(std::ostream& md, const std::vector<FlowCostPoint>& points, const std::string& data_path) {
  md << "### Datapath cost per packet vs concurrent flows (BPF_PROG_TEST_RUN, median)\n\n"
     << "| flows | egress ns | ingress ns |\n|---:|---:|---:|\n";
  std::ofstream data(data_path);
  for (const auto& p : points) {
    md << "| " << p.flows << " | " << Format("%.1f", p.egress_ns) << " | " << Format("%.1f", p.ingress_ns) << " |\n";
    data << p.flows << " " << p.egress_ns << " " << p.ingress_ns << "\n";
  }
  const double growth_e = points.back().egress_ns / points.front().egress_ns - 1;
  const double growth_i = points.back().ingress_ns / points.front().ingress_ns - 1;
  md << "\nGrowth from " << points.front().flows << " to " << points.back().flows << " flows: egress "
     << Format("%+.1f %%", growth_e * 100) << ", ingress " << Format("%+.1f %%", growth_i * 100) << ".\n\n";
}

void ReportColdCaches(std::ostream& md, const std::vector<ColdCachePoint>& points) {
  md << "### Datapath cost per packet with cold caches (BPF_PROG_TEST_RUN, median of single runs)\n\n"
     << "A data segment and an ACK repeating their running flow's identifier and echo (the common packet), each "
        "run once right after a buffer was written, next to an empty program run the same way: its figure is the "
        "test run's own cost. Under traffic the network stack evicts the program's maps and code between packets "
        "much like this.\n\n"
     << "| written between runs | empty program ns | egress ns | ingress ns | egress above empty | ingress above "
        "empty |\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& p : points) {
    md << "| " << p.caches << " | " << Format("%.0f", p.empty_ns) << " | " << Format("%.0f", p.egress_ns) << " | "
       << Format("%.0f", p.ingress_ns) << " | " << Format("%.0f", p.egress_ns - p.empty_ns) << " | "
       << Format("%.0f", p.ingress_ns - p.empty_ns) << " |\n";
  }
  md << "\n";
}

void ReportScrape(std::ostream& md, const std::vector<std::pair<std::string, ScrapeResult>>& rows) {
  md << "### Scrape latency, memory and idle CPU\n\n"
     << "Idle CPU is averaged over 25 cleanup passes' duration (at least 5 s, at most 60 s): passes are spaced 20 "
        "times their duration apart, so the window holds one.\n\n"
     << "With prefixes, BPF ns/packet is bpf_stats of the tc programs over the scrapes: the samples fed before each "
        "scrape (one echo out and back per prefix, through the exporter's programs by BPF_PROG_TEST_RUN). The "
        "exporter watches the loopback of a namespace of the benchmark's own.\n\n"
     << "| state | prefix series | first scrapes ms | scrape p50 ms | scrape p99 ms | body MiB | RSS MiB | BPF maps "
        "MiB "
        "| cleanup pass s | idle CPU % | BPF ns/packet egress, ingress |\n"
     << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& [name, r] : rows) {
    md << "| " << name << " | " << r.series << " | " << Format("%.1f", r.first_ms) << " | " << Format("%.1f", r.p50_ms)
       << " | " << Format("%.1f", r.p99_ms) << " | " << Format("%.2f", r.body_mib) << " | " << Format("%.1f", r.rss_mib)
       << " | " << Format("%.1f", r.bpf_maps_mib) << " | " << Format("%.3f", r.cleanup_s) << " | "
       << Format("%.2f", r.idle_cpu_percent) << " | "
       << (r.egress_ns > 0 ? Format("%.0f", r.egress_ns) + ", " + Format("%.0f", r.ingress_ns) : "") << " |\n";
  }
  md << "\n";
  const bool any_gzip =
      std::any_of(rows.begin(), rows.end(), [](const auto& row) { return row.second.gzip_p50_ms > 0; });
  if (!any_gzip) return;
  md << "The same exporters scraped asking for gzip (as Prometheus does), alternating with the scrapes above "
        "(one of each before every sample round): latency to the last byte and the response's bytes on the wire. "
        "A baseline that does not compress sends its plain body to either.\n\n"
     << "| state | plain p50 ms | plain p99 ms | plain MiB on the wire | gzip p50 ms | gzip p99 ms | gzip MiB on the "
        "wire | smaller by |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& [name, r] : rows) {
    if (r.gzip_p50_ms <= 0) continue;
    md << "| " << name << " | " << Format("%.1f", r.p50_ms) << " | " << Format("%.1f", r.p99_ms) << " | "
       << Format("%.2f", r.plain_wire_mib) << " | " << Format("%.1f", r.gzip_p50_ms) << " | "
       << Format("%.1f", r.gzip_p99_ms) << " | " << Format("%.2f", r.gzip_wire_mib) << " | "
       << Format("%.1f", r.plain_wire_mib / r.gzip_wire_mib) << "× |\n";
  }
  md << "\n";
}

void ReportThroughput(std::ostream& md, const TrafficReport& t) {
  md << "### Throughput across the veth pair, single TCP flow (iperf3, 2 s runs, medians of interleaved rounds)\n\n"
     << "Each round runs without anything attached, with an empty tc program on the hooks and with the exporter, "
        "back to back (the arm that starts rotates); a ratio is the median over the rounds of the ratio within a "
        "round, with a bootstrap 95 % interval of that median. CPUs busy is the busy share of all CPUs' time during "
        "the runs without anything attached (1.00: the transfer is CPU-bound). The programs' share is their "
        "bpf_stats run time over the CPU time the machine was busy during the run (median, and the rounds' range): "
        "with a CPU-bound transfer, about what their own work costs in throughput.\n\n"
     << "| direction | without Gbit/s | with exporter Gbit/s | ratio | 95 % interval | empty program ratio | 95 % "
        "interval | CPUs busy | exporter programs' share of busy CPU % | rounds' range | empty program's share % "
        "|\n|---|---:|---:|---:|---|---:|---|---:|---:|---|---:|\n";
  for (const auto& r : t.throughput) {
    md << "| " << r.direction << " | " << Format("%.2f", r.without_gbps) << " | " << Format("%.2f", r.with_gbps)
       << " | " << Format("%.3f", r.ratio) << " | " << Format("%.2f", r.ratio_low) << "–"
       << Format("%.2f", r.ratio_high) << " | " << Format("%.3f", r.floor_ratio) << " | " << Format("%.2f", r.floor_low)
       << "–" << Format("%.2f", r.floor_high) << " | " << Format("%.2f", r.busy_fraction) << " | "
       << Format("%.2f", 100 * r.program_share) << " | " << Format("%.2f", 100 * r.program_share_low) << "–"
       << Format("%.2f", 100 * r.program_share_high) << " | " << Format("%.2f", 100 * r.floor_share) << " |\n";
  }
}

void ReportCosts(std::ostream& md, const TrafficReport& t) {
  const auto hook_of = [](const std::string& program) {
    return program.find("ingres") != std::string::npos || program.ends_with("_in") ? "ingress" : "egress";
  };
  // The cost of the programs starting with `start` under the same load and hook as `c`; 0 if none.
  const auto cost_like = [&](const ProgramCost& c, const std::string& start) {
    for (const auto& o : t.costs) {
      if (o.program.starts_with(start) && o.scenario == c.scenario && hook_of(o.program) == hook_of(c.program)) {
        return o.ns_per_packet;
      }
    }
    return 0.0;
  };
  const bool baseline = std::any_of(t.costs.begin(), t.costs.end(),
                                    [](const ProgramCost& c) { return c.program.starts_with(kBaselineTag); });
  md << "\n### BPF cost per packet under real traffic (bpf_stats)\n\n"
     << "The floor is an empty tc program on the same hooks under the same load: what bpf_stats "
        "reports for doing nothing here. Floor and pping"
     << (baseline ? " and the baseline (the exporter built from another revision, or this one with other flags)" : "")
     << " alternate for " << t.cost_rounds << " rounds; each ns figure is the median round."
     << (baseline ? " pping / baseline is the median over the rounds of the ratio within a round (pping and the "
                    "baseline run back to back, in alternating order), with the least and greatest round."
                  : "")
     << "\n\n"
     << "| load | hook | floor ns | pping ns | pping above floor ns | pping packets |"
     << (baseline ? " baseline ns | pping / baseline | rounds' range |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n"
                  : "\n|---|---|---:|---:|---:|---:|\n");
  for (const auto& c : t.costs) {
    if (c.program.starts_with(kFloorPrefix) || c.program.starts_with(kBaselineTag)) continue;
    const double floor = cost_like(c, kFloorPrefix);
    md << "| " << c.scenario << " | " << hook_of(c.program) << " | " << Format("%.0f", floor) << " | "
       << Format("%.0f", c.ns_per_packet) << " | " << Format("%.0f", c.ns_per_packet - floor) << " | " << c.packets
       << " |";
    if (baseline) {
      const auto paired = std::find_if(t.baseline_ratios.begin(), t.baseline_ratios.end(), [&c](const PairedRatio& r) {
        return r.scenario == c.scenario && r.program == c.program;
      });
      md << " " << Format("%.0f", cost_like(c, kBaselineTag)) << " |";
      if (paired != t.baseline_ratios.end()) {
        md << " " << Format("%.2f", paired->median) << " | " << Format("%.2f", paired->low) << "–"
           << Format("%.2f", paired->high) << " |";
      } else {
        md << " | |";
      }
    }
    md << "\n";
  }
}

void ReportTraffic(std::ostream& md, const TrafficReport& t) {
  ReportThroughput(md, t);
  ReportCosts(md, t);
  md << "\n### Exporter CPU under traffic\n\n"
     << Format("%.0f", t.cpu.kpps) << " kpps through the hooks: exporter " << Format("%.2f", t.cpu.cpu_percent)
     << " % of one core.\n\n";
}

void ReportReplay(std::ostream& md, const ReplaySpeed& r, unsigned runs) {
  md << "### Replaying a capture\n\n"
     << "`pping_exporter replay` of a written capture of " << r.packets << " packets (" << Format("%.0f", r.capture_mib)
     << " MiB, cut at 128 bytes: TCP request/response with timestamps over IPv4 and IPv6 and ping, 4096 flows), "
     << "wall time of the whole run (loading the programs and writing the exposition included), " << runs
     << " runs.\n\n"
     << "| packets | median s | fastest s | slowest s | packets/s (median) | peak RSS MiB |\n"
     << "|---:|---:|---:|---:|---:|---:|\n"
     << "| " << r.packets << " | " << Format("%.2f", r.median_s) << " | " << Format("%.2f", r.min_s) << " | "
     << Format("%.2f", r.max_s) << " | " << Format("%.0f", static_cast<double>(r.packets) / r.median_s) << " | "
     << Format("%.1f", r.peak_rss_mib) << " |\n\n"
     << "The exporter's own summary: `" << r.summary << "`\n\n";
}

std::string WebScrapes(const WebAttackResult& r, double timeout_s) {
  std::string text = std::to_string(r.succeeded) + "/" + std::to_string(r.scrapes);
  const unsigned failed = r.scrapes - r.succeeded - r.timed_out;
  if (r.timed_out == r.scrapes) return text + " (timeout " + Format("%.0f s", timeout_s) + ")";
  if (r.timed_out > 0)
    text += " (" + std::to_string(r.timed_out) + " timed out at " + Format("%.0f s", timeout_s) + ")";
  if (failed > 0) text += " (" + std::to_string(failed) + " failed)";
  return text;
}

void ReportWeb(std::ostream& md, const std::vector<WebAttackResult>& rows, unsigned prefixes, unsigned scrapes,
               double timeout_s) {
  md << "### Scrapes while the HTTP endpoint is attacked\n\n"
     << "How measured: each attack against a fresh exporter holding " << prefixes
     << " sampled prefixes (as the scrape part's, default buckets; two untimed scrapes first), from this process "
        "over plain sockets; "
     << scrapes << " scrapes of /metrics (HTTP/1.1) started " << Format("%.0f", kWebScrapeIntervalS * 1000)
     << " ms apart from 1 s into the attack, each given " << Format("%.0f", timeout_s)
     << " s; whole: status 200 and the body's full Content-Length (or its last chunk). Latency over the whole "
        "scrapes, connect to last byte; RSS (VmRSS) at the end of the attack; the attack's connections are opened "
        "once, never reopened, and all closed 1 s before the next attack.\n\n"
     << "| attack | scrapes whole | median ms | max ms | body MiB | RSS MiB | attack connections open at end | closed "
        "or refused by the exporter |\n|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    const bool any = r.succeeded > 0;
    md << "| " << r.attack << (r.baseline ? ", baseline" : "") << " | " << WebScrapes(r, timeout_s) << " | "
       << (any ? Format("%.1f", r.median_ms) : "–") << " | " << (any ? Format("%.1f", r.max_ms) : "–") << " | "
       << (any ? Format("%.2f", r.body_mib) : "–") << " | " << Format("%.1f", r.rss_mib) << " | " << r.attack_open
       << " | " << r.attack_closed << " |\n";
  }
  md << "\n";
}

std::string OrDash(const char* fmt, double v) { return v < 0 ? "–" : Format(fmt, v); }

void ReportFlood(std::ostream& md, const std::vector<std::pair<std::string, FloodResult>>& runs) {
  md << "### Memory under a flood of spoofed sources\n\n"
     << "How measured: TCP segments from random IPv4 sources (so nearly each from a /24 of its own) to the "
        "exporter's ingress program (BPF_PROG_TEST_RUN, paced, from another thread), beside 100 genuine IPv6 "
        "prefixes that each give one RTT sample a second; the exporter at its default sizes "
        "(`--aggregation.max-prefixes` 4096 per interval, `--aggregation.max-tracked-prefixes` 65536, series expiry "
        "10 min). Every 30 s: VmRSS, one timed scrape, the tracked prefixes and evictions from another.\n\n";
  for (const auto& [name, r] : runs) {
    md << "#### " << name << ": " << r.pps << " packets/s for " << Format("%.0f", r.seconds) << " s\n\n"
       << "| s | packets sent | prefixes held | evicted without RTTs | evicted with RTTs | kernel aggregation map "
          "full | RSS MiB | scrape ms | genuine prefixes held |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const FloodPoint& f : r.points) {
      md << "| " << Format("%.0f", f.at_s) << " | " << f.sent << " | " << OrDash("%.0f", f.prefixes) << " | "
         << OrDash("%.0f", f.evicted) << " | " << OrDash("%.0f", f.evicted_with_rtt) << " | "
         << OrDash("%.0f", f.kernel_full) << " | " << Format("%.1f", f.rss_mib) << " | " << OrDash("%.1f", f.scrape_ms)
         << " | " << f.genuine_prefixes << " |\n";
    }
    md << "\nPeak RSS " << Format("%.1f", r.peak_rss_mib) << " MiB. At the end, " << r.genuine_prefixes
       << " of 100 genuine prefixes held, with " << Format("%.0f", r.genuine_samples) << " of "
       << Format("%.0f", r.genuine_fed) << " samples fed.\n\n";
  }
}

// The 16,384-prefix states; with a baseline exporter, each also runs the
// baseline right before or after it (alternating), for rows side by side.
std::vector<std::pair<std::string, ScrapeResult>> MeasurePrefixStates(const std::string& exporter,
                                                                      const std::string& baseline, unsigned scrapes) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> states{
      {"16,384 active prefixes, default buckets (2/octave)", {}},
      {"16,384 active prefixes, 1 bucket/octave", {"--histogram.buckets-per-octave", "1"}}};
  std::vector<std::pair<std::string, ScrapeResult>> rows;
  for (size_t i = 0; i < states.size(); ++i) {
    const auto& [name, args] = states[i];
    const auto measure = [&](const std::string& binary) {
      return MeasureScrapeWithPrefixes(binary, 16384, scrapes, args);
    };
    if (baseline.empty()) {
      rows.emplace_back(name, measure(exporter));
      continue;
    }
    ScrapeResult mine, theirs;
    if (i % 2 == 0)
      mine = measure(exporter), theirs = measure(baseline);
    else
      theirs = measure(baseline), mine = measure(exporter);
    rows.emplace_back(name, mine);
    rows.emplace_back(name + ", baseline", theirs);
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pping_bench: datapath and exporter benchmark"};
  std::string exporter = "bazel-bin/exporter/pping_exporter", out = "benchmark.md", data = "cost_vs_flows.dat";
  std::string baseline;
  unsigned samples = 300, rounds = 15, cost_rounds = 3, scrapes = 100, web_scrapes = 10;
  double web_timeout_s = 15, flood_seconds = 600, flood_baseline_seconds = 120;
  std::vector<unsigned> flood_pps{3000};
  std::vector<std::string> parts{"flows", "cold", "prefixes", "manyflows", "replay", "traffic", "web", "flood"};
  app.add_option("--exporter", exporter, "Exporter binary")->capture_default_str();
  app.add_option(
      "--baseline-exporter", baseline,
      "Exporter binary of another revision whose per-packet costs, prefix scrapes and scrapes under attack are "
      "measured alongside");
  app.add_option("--out", out, "Markdown report")->capture_default_str();
  app.add_option("--plot-data", data, "Cost-vs-flows data for the plot")->capture_default_str();
  app.add_option("--samples", samples, "Packets timed per flow count")->capture_default_str();
  app.add_option("--rounds", rounds, "Interleaved throughput rounds")->capture_default_str();
  app.add_option("--cost-rounds", cost_rounds, "Alternating rounds of the bpf_stats loads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--scrapes", scrapes, "Scrapes timed per state")->capture_default_str();
  app.add_option("--web-scrapes", web_scrapes, "Scrapes timed per attack on the HTTP endpoint")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--web-timeout", web_timeout_s, "Timeout of a scrape under attack, seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--flood-pps", flood_pps, "Rates of the spoofed-source flood, packets/s (each a run)")
      ->capture_default_str();
  app.add_option("--flood-seconds", flood_seconds, "Duration of each flood run")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--flood-baseline-seconds", flood_baseline_seconds,
                 "Duration of the baseline's flood run (without a prefix cap its memory grows with it)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--only", parts, "Parts to run: flows, cold, prefixes, manyflows, replay, traffic, web, flood")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const auto wanted = [&](const char* part) { return std::find(parts.begin(), parts.end(), part) != parts.end(); };
  std::ofstream md(out);
  md << "## Benchmark (" << rounds << " throughput rounds, " << samples << " samples per flow count, " << scrapes
     << " scrapes per state)\n\n";
  if (wanted("flows")) ReportCostVsFlows(md, MeasureCostVsFlows({1, 10, 100, 1000, 10000, 100000}, samples), data);
  if (wanted("cold")) ReportColdCaches(md, MeasureColdCaches(samples));
  md.flush();
  if (wanted("prefixes") || wanted("manyflows")) {
    std::vector<std::pair<std::string, ScrapeResult>> rows;
    if (wanted("prefixes")) rows = MeasurePrefixStates(exporter, baseline, scrapes);
    if (wanted("manyflows")) rows.emplace_back("1,000,000 flows", MeasureWithFlows(exporter, 1000000, scrapes));
    ReportScrape(md, rows);
  }
  md.flush();
  if (wanted("replay")) ReportReplay(md, MeasureReplay(exporter, 1'000'000, 3), 3);
  md.flush();
  if (wanted("traffic")) ReportTraffic(md, MeasureTraffic(exporter, rounds, cost_rounds, baseline));
  md.flush();
  if (wanted("web")) {
    constexpr unsigned kWebPrefixes = 16384;
    ReportWeb(md, MeasureWebAttacks(exporter, baseline, kWebPrefixes, web_scrapes, web_timeout_s), kWebPrefixes,
              web_scrapes, web_timeout_s);
  }
  md.flush();
  if (wanted("flood")) {
    std::vector<std::pair<std::string, FloodResult>> runs;
    for (unsigned pps : flood_pps) {
      runs.emplace_back("this revision", MeasurePrefixFlood(exporter, pps, flood_seconds));
      if (!baseline.empty()) runs.emplace_back("baseline", MeasurePrefixFlood(baseline, pps, flood_baseline_seconds));
    }
    ReportFlood(md, runs);
  }
  std::cout << "wrote " << out << "\n";
  return 0;
}
