// SPDX-License-Identifier: Apache-2.0
// Benchmark scenarios that run the real exporter binary.
#pragma once

#include <string>
#include <vector>

namespace pping::bench {

struct ScrapeResult {
  unsigned prefixes_or_flows = 0;
  unsigned series = 0;            // prefix series on /metrics
  double first_ms = 0;            // slowest of the warm-up scrapes after start
  double p50_ms = 0, p99_ms = 0;  // steady state: the scrapes after those
  double body_mib = 0;
  // The same exporter scraped with gzip asked for, alternating with the
  // plain scrapes above (prefix states only): latency, and the response's
  // bytes on the wire.
  double gzip_p50_ms = 0, gzip_p99_ms = 0, gzip_wire_mib = 0, plain_wire_mib = 0;
  double rss_mib = 0, bpf_maps_mib = 0;
  double cleanup_s = 0;                  // latest cleanup pass
  double idle_cpu_percent = 0;           // exporter CPU while nothing happens
  double egress_ns = 0, ingress_ns = 0;  // bpf_stats of the tc programs during the scrapes (prefix states)
};

// `prefixes` IPv6 /48 prefixes, each given an RTT sample through the
// exporter's own programs before every scrape (so each scrape drains them
// all from the kernel); the exporter runs with `extra_args`.
ScrapeResult MeasureScrapeWithPrefixes(const std::string& exporter, unsigned prefixes, unsigned scrapes,
                                       const std::vector<std::string>& extra_args);

// The flow map filled with `flows` TCP flows (and as many timestamps).
ScrapeResult MeasureWithFlows(const std::string& exporter, unsigned flows, unsigned scrapes);

struct TrafficResult {
  std::string direction;
  double without_gbps = 0, with_gbps = 0;  // medians of interleaved runs
  double ratio = 0;                        // median over rounds of with / without, run back to back
  double ratio_low = 0, ratio_high = 0;    // bootstrap 95 % interval of that median
  // The same for an empty tc program in the exporter's place: the part of
  // the ratio any program on the hooks costs.
  double floor_ratio = 0, floor_low = 0, floor_high = 0;
  // Where the CPU time went (medians over the rounds): how busy all CPUs
  // were without anything attached (1 = CPU-bound), and the share of the
  // busy CPU time spent in the exporter's programs (with the least and
  // greatest round) and in the empty program, by bpf_stats.
  double busy_fraction = 0;
  double program_share = 0, program_share_low = 0, program_share_high = 0;
  double floor_share = 0;
};

struct ProgramCost {
  std::string scenario, program;
  double ns_per_packet = 0;
  unsigned long long packets = 0;
  unsigned round = 0;
};

// pping's cost over the baseline's for one load and program, taken within
// each round (the two ran back to back, in alternating order) and summarised
// over the rounds: paired, so the machine's drift between rounds cancels.
struct PairedRatio {
  std::string scenario, program;
  double median = 0, low = 0, high = 0;  // median, least and greatest round
};

struct CpuResult {
  double kpps = 0;
  double cpu_percent = 0;
};

struct TrafficReport {
  std::vector<TrafficResult> throughput;
  std::vector<ProgramCost> costs;  // the median round of each load and program
  std::vector<PairedRatio> baseline_ratios;
  unsigned cost_rounds = 0;
  CpuResult cpu;
};

// iperf3 across a plain veth pair between two namespaces, with and without
// the exporter on the tc hooks (`rounds` paired rounds); bpf_stats of its
// programs next to an empty program's (the floor), alternating for
// `cost_rounds` rounds, under one bulk flow, 64 flows and a ping flood;
// exporter CPU at about 100 kpps. With a `baseline` exporter binary
// (another revision), its programs run the same loads in the same rounds,
// right before or after pping's (alternating); their rows' program names
// start with kBaselineTag.
inline constexpr const char* kBaselineTag = "baseline:";
TrafficReport MeasureTraffic(const std::string& exporter, unsigned rounds, unsigned cost_rounds,
                             const std::string& baseline);

// Scrapes of /metrics while the HTTP endpoint is under attack, one row per
// attack and exporter binary.
struct WebAttackResult {
  std::string attack;
  bool baseline = false;
  unsigned scrapes = 0, succeeded = 0, timed_out = 0;
  double median_ms = -1, max_ms = -1;  // over the scrapes that succeeded; -1 if none did
  double body_mib = 0;                 // the largest body a scrape read whole
  double rss_mib = 0;                  // the exporter's VmRSS at the end of the attack
  // The attacker's connections open at the end of the attack, and how many
  // the exporter had closed or refused by then (none is reopened).
  unsigned attack_open = 0, attack_closed = 0;
};

// Each attack runs against a fresh exporter holding `prefixes` sampled
// prefixes (and, with a `baseline` binary, against a fresh baseline right
// before or after it, alternating): `scrapes` scrapes started 300 ms apart,
// each given `timeout_s`.
inline constexpr double kWebScrapeIntervalS = 0.3;
std::vector<WebAttackResult> MeasureWebAttacks(const std::string& exporter, const std::string& baseline,
                                               unsigned prefixes, unsigned scrapes, double timeout_s);

// A flood of packets from spoofed sources (each from a new /24) at `pps`
// for `seconds`, beside 100 genuine prefixes sampled once a second, against
// an exporter at its default sizes; observed every 30 s.
struct FloodPoint {
  double at_s = 0;
  uint64_t sent = 0;
  double prefixes = -1;  // pping_exporter_tracked_prefixes; -1: not served
  double evicted = -1, evicted_with_rtt = -1;
  double kernel_full = -1;  // pping_map_full_total{map="aggregation"}
  double rss_mib = 0;
  double scrape_ms = -1;
  unsigned genuine_prefixes = 0;  // of the genuine ones, those with a histogram
  double genuine_samples = 0;
};
struct FloodResult {
  unsigned pps = 0;
  double seconds = 0;
  std::vector<FloodPoint> points;
  double peak_rss_mib = 0;
  unsigned genuine_prefixes = 0;  // at the end
  double genuine_samples = 0, genuine_fed = 0;
};
FloodResult MeasurePrefixFlood(const std::string& exporter, unsigned pps, double seconds);

}  // namespace pping::bench
