// SPDX-License-Identifier: Apache-2.0
// The exporter holding many prefixes or flows: scrape latency, memory and
// idle CPU. It watches the loopback of a namespace of the benchmark's own;
// its maps are filled by feeding its programs crafted packets.
#include <bpf/bpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include "exporter/util/unique_fd.h"
#include "tests/bench/exporter_probe.h"
#include "tests/bench/exporter_run.h"
#include "tests/bench/percentile.h"
#include "tests/bench/prefixed_exporter.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/scrape_timer.h"
#include "tests/lab/command.h"
#include "tests/lab/owned_netns.h"
#include "tests/support/bpf_objects.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"

namespace pping::bench {
namespace {

using namespace std::chrono_literals;

// The first scrapes after start size the exporter's reused text buffers:
// their cost is reported apart from the steady state Prometheus sees.
constexpr unsigned kWarmupScrapes = 2;

// Times `scrapes` steady scrapes; with `gzip`, as many more asking for
// gzip, alternating with the plain ones so that both see the same load.
void Scrape(
    int port, unsigned scrapes, ScrapeResult& r, const std::function<void()>& before_each = [] {}, bool gzip = false) {
  std::vector<double> ms, gzip_ms;
  ScrapeTimer timer(port), gzip_timer(port, true);
  for (unsigned i = 0; i < kWarmupScrapes + scrapes; ++i) {
    for (const bool compressed : {false, true}) {
      if (compressed && (!gzip || i < kWarmupScrapes)) continue;
      before_each();
      ScrapeTimer& t = compressed ? gzip_timer : timer;
      (compressed ? gzip_ms : ms).push_back(t.TimeOne());
      if ((compressed ? gzip_ms : ms).back() < 0) throw std::runtime_error("a scrape failed or its body was cut short");
      if (std::getenv("PPING_BENCH_VERBOSE")) {
        std::fprintf(stderr, "scrape %u%s: %.1f ms, %zu bytes\n", i, compressed ? " gzip" : "",
                     (compressed ? gzip_ms : ms).back(), t.last_response().size());
      }
    }
  }
  constexpr double kMiB = 1024.0 * 1024.0;
  r.plain_wire_mib = static_cast<double>(timer.last_response().size()) / kMiB;
  if (gzip) {
    r.gzip_wire_mib = static_cast<double>(gzip_timer.last_response().size()) / kMiB;
    r.gzip_p50_ms = Percentile(gzip_ms, 0.5);
    r.gzip_p99_ms = Percentile(gzip_ms, 0.99);
  }
  // The body's size and series, decoded from one more (untimed) scrape.
  if (const auto response = testing::HttpGet(port, "/metrics", testing::HttpVersion::k1_1)) {
    r.body_mib = static_cast<double>(response->body.size()) / kMiB;
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

OwnLoopback::OwnLoopback() : netns(UniqueNetnsBase("ppbench-lo")) {
  RunOrThrow({"ip", "-n", netns.name(), "link", "set", "lo", "up"});
}

std::vector<std::string> OwnLoopback::Args() const {
  return {"--attach.netns", netns.name(), "--attach.interface", "lo"};
}

PrefixedExporter::PrefixedExporter(const std::string& exporter, unsigned prefixes,
                                   const std::vector<std::string>& extra_args, Maps maps)
    : port_(testing::FreeLocalPort()), prefixes_(prefixes) {
  std::vector<std::string> args = loopback_.Args();
  if (maps == Maps::kSized) {
    const std::vector<std::string> sizes{"--aggregation.max-prefixes",    std::to_string(prefixes * 2),
                                         "--datapath.flow-map-size",      std::to_string(prefixes * 2),
                                         "--datapath.timestamp-map-size", std::to_string(prefixes * 2)};
    args.insert(args.end(), sizes.begin(), sizes.end());
  }
  args.insert(args.end(), {"--sampling.rate-limit", "0"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = StartExporter(exporter, port_, args);
  egress_ = testing::ProgramFdHeldBy(process_->pid(), "pping_tc_egress");
  ingress_ = testing::ProgramFdHeldBy(process_->pid(), "pping_tc_ingress");
  if (!egress_ || !ingress_) throw std::runtime_error("the exporter's programs are not loaded");
}

PrefixedExporter::~PrefixedExporter() = default;

void PrefixedExporter::SampleEveryPrefix() {
  for (unsigned i = 0; i < prefixes_; ++i) {
    const std::string remote = "2001:db8:" + Hex(i) + "::1";
    RunFrame(egress_.get(), testing::BuildEcho("2001:db8:ffff::1", remote, true, 1, sequence_));
    RunFrame(ingress_.get(), testing::BuildEcho(remote, "2001:db8:ffff::1", false, 1, sequence_));
  }
  ++sequence_;
}

ScrapeResult MeasureScrapeWithPrefixes(const std::string& exporter, unsigned prefixes, unsigned scrapes,
                                       const std::vector<std::string>& extra_args) {
  PrefixedExporter p(exporter, prefixes, extra_args);
  // Every prefix gets an RTT sample (echo request out, reply in), so every
  // prefix is active in the kernel instance each scrape drains.
  const auto sample_every_prefix = [&p] { p.SampleEveryPrefix(); };
  sample_every_prefix();
  std::this_thread::sleep_for(2500ms);  // drained into user space
  ScrapeResult r;
  r.prefixes_or_flows = prefixes;
  // The datapath's cost per packet meanwhile: the fed samples (a few per
  // prefix per aggregation interval).
  const UniqueFd stats(bpf_enable_stats(BPF_STATS_RUN_TIME));
  const Delta costs = Start(TcProgramIdsOf(p.process().pid()));
  Scrape(p.port(), scrapes, r, sample_every_prefix, true);
  for (const ProgramCost& c : costs.Finish("")) {
    (c.program.find("egress") != std::string::npos ? r.egress_ns : r.ingress_ns) = c.ns_per_packet;
  }
  ReadProcess(p.process(), p.port(), r);
  return r;
}

ScrapeResult MeasureWithFlows(const std::string& exporter, unsigned flows, unsigned scrapes) {
  const int port = testing::FreeLocalPort();
  const OwnLoopback loopback;
  std::vector<std::string> args = loopback.Args();
  for (const std::string& a : {std::string("--datapath.flow-map-size"), std::to_string(flows + flows / 4),
                               std::string("--datapath.timestamp-map-size"), std::to_string(flows + flows / 4),
                               std::string("--cleanup.tcp-timeout"), std::string("1h")}) {
    args.push_back(a);
  }
  auto p = StartExporter(exporter, port, args);
  const UniqueFd egress_program = testing::ProgramFdHeldBy(p->pid(), "pping_tc_egress");
  const int egress = egress_program.get();
  for (unsigned i = 0; i < flows; ++i) {
    const std::string remote = "2001:db8:1:" + Hex(i >> 16) + "::" + Hex(i & 0xffff);
    RunFrame(egress, testing::BuildTcp({"2001:db8:ffff::1", remote, 40000, 443, testing::kAck | testing::kPsh,
                                        testing::TcpTimestamps{1, 1}, 100}));
  }
  std::this_thread::sleep_for(3s);
  ScrapeResult r;
  r.prefixes_or_flows = flows;
  Scrape(port, scrapes, r);
  ReadProcess(*p, port, r);
  return r;
}

}  // namespace pping::bench
