// SPDX-License-Identifier: Apache-2.0
// Packets from spoofed sources, each from a /24 of its own, for minutes,
// while a few genuine prefixes keep giving RTT samples: what the
// exporter's memory does, whether the genuine prefixes are kept, whether
// scrapes stay fast. The flood goes through the exporter's own ingress
// program (BPF_PROG_TEST_RUN) from a thread of its own, paced; this thread
// scrapes and reads the exporter's memory meanwhile.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "tests/bench/exporter_probe.h"
#include "tests/bench/prefixed_exporter.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/scrape_timer.h"
#include "tests/support/http_get.h"

namespace pping::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr unsigned kGenuinePrefixes = 100;
constexpr auto kGenuineEvery = 1s;  // one RTT sample per genuine prefix
constexpr auto kPace = 10ms;        // the flood's packets are sent in a batch per tick
constexpr auto kPointEvery = 30s;
// Where the spoofed packets go, and the offset of their TCP source port
// in the frame (Ethernet, IPv4 without options, TCP).
constexpr const char* kLocal = "198.51.100.1";
constexpr size_t kTcpSourcePort = 14 + 20;

// The value of the sample that starts with `head` (its name and labels,
// up to the space before the value) at the start of a line; -1 if none.
double ValueOf(std::string_view text, std::string_view head) {
  std::string needle = "\n";
  needle.append(head).append(" ");
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return -1;
  return std::strtod(std::string(text.substr(at + needle.size(), 32)).c_str(), nullptr);
}

// The genuine prefixes (IPv6; the flood's are IPv4) that have an RTT
// histogram, and their samples counted.
std::pair<unsigned, double> GenuineOf(std::string_view text) {
  constexpr std::string_view kHead = "\npping_rtt_seconds_count{prefix=\"2001:db8:";
  unsigned prefixes = 0;
  double samples = 0;
  for (size_t at = text.find(kHead); at != std::string_view::npos; at = text.find(kHead, at + 1)) {
    const size_t value = text.find("} ", at);
    if (value == std::string_view::npos) break;
    ++prefixes;
    samples += std::strtod(std::string(text.substr(value + 2, 32)).c_str(), nullptr);
  }
  return {prefixes, samples};
}

FloodPoint Observe(PrefixedExporter& p, ScrapeTimer& timer, Clock::time_point start, uint64_t sent) {
  FloodPoint point;
  point.at_s = std::chrono::duration<double>(Clock::now() - start).count();
  point.sent = sent;
  point.rss_mib = MemoryOf(p.process().pid()).rss_mib;
  point.scrape_ms = timer.TimeOne();
  const auto response = testing::HttpGet(p.port(), "/metrics", testing::HttpVersion::k1_0);
  if (!response) return point;
  const std::string& body = response->body;
  point.prefixes = ValueOf(body, "pping_exporter_tracked_prefixes");
  point.evicted = ValueOf(body, "pping_exporter_tracked_prefixes_evicted_total{kind=\"traffic_only\"}");
  point.evicted_with_rtt = ValueOf(body, "pping_exporter_tracked_prefixes_evicted_total{kind=\"with_rtt\"}");
  point.kernel_full = ValueOf(body, "pping_map_full_total{map=\"aggregation\"}");
  std::tie(point.genuine_prefixes, point.genuine_samples) = GenuineOf(body);
  return point;
}

}  // namespace

FloodResult MeasurePrefixFlood(const std::string& exporter, unsigned pps, double seconds) {
  PrefixedExporter p(exporter, kGenuinePrefixes, {}, PrefixedExporter::Maps::kDefault);
  FloodResult result;
  result.pps = pps;
  result.seconds = seconds;
  std::atomic<bool> stop = false;
  std::atomic<uint64_t> sent = 0, rounds = 0;
  const Clock::time_point start = Clock::now();
  std::thread flood([&] {
    testing::Frame frame = testing::BuildTcp({"192.0.2.1", kLocal, 40000, 443, testing::kAck, std::nullopt, 0});
    std::mt19937 random(7);
    auto next_genuine = start;
    for (auto tick = start; !stop; tick += kPace) {
      if (Clock::now() >= next_genuine) {
        p.SampleEveryPrefix();
        ++rounds;
        next_genuine += kGenuineEvery;
      }
      // As many as the rate calls for by now: a late tick catches up.
      const auto due = static_cast<uint64_t>(std::chrono::duration<double>(Clock::now() - start).count() * pps);
      for (uint64_t n = sent; n < due; ++n) {
        const uint32_t source = random();
        testing::SetIpv4Source(frame, source);
        frame[kTcpSourcePort] = static_cast<uint8_t>(source >> 8);
        RunFrame(p.ingress_program(), frame);
      }
      sent = std::max<uint64_t>(sent, due);
      std::this_thread::sleep_until(tick + kPace);
    }
  });
  ScrapeTimer timer(p.port());
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (auto next = start + kPointEvery; next <= end; next += kPointEvery) {
    std::this_thread::sleep_until(next);
    result.points.push_back(Observe(p, timer, start, sent));
    if (std::getenv("PPING_BENCH_VERBOSE")) {
      const FloodPoint& f = result.points.back();
      std::fprintf(stderr, "flood %.0f s: %.0f prefixes, RSS %.1f MiB, scrape %.1f ms\n", f.at_s, f.prefixes, f.rss_mib,
                   f.scrape_ms);
    }
  }
  stop = true;
  flood.join();
  // The last samples drained, then what was kept of the genuine prefixes.
  std::this_thread::sleep_for(2500ms);
  const FloodPoint last = Observe(p, timer, start, sent);
  result.genuine_prefixes = last.genuine_prefixes;
  result.genuine_samples = last.genuine_samples;
  result.genuine_fed = static_cast<double>(rounds) * kGenuinePrefixes;
  for (const FloodPoint& f : result.points) result.peak_rss_mib = std::max(result.peak_rss_mib, f.rss_mib);
  return result;
}

}  // namespace pping::bench
