// SPDX-License-Identifier: Apache-2.0
// Sampling on real traffic: a paced one-way TCP stream whose receiver
// sends delayed ACKs, with and without the burst after a sample. The burst
// must yield more RTT samples, and no sample may fall outside what the
// path allows (the delay D plus the pacing gap a delayed ACK waits for).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "tests/lab/lab.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kDelay = 30ms;
constexpr auto kPacing = 2ms;  // the lab's bulk sender: one segment every 2 ms
const std::map<std::string, std::string> kTcp{{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}};

struct RunResult {
  double samples_per_second = 0;
  std::vector<testing::Sample> samples;
};

RunResult MeasureSampling(const std::vector<std::string>& sampling_flags) {
  Lab lab({"ppburst", kDelay, TrafficMix{false, false, true}, false});
  const int port = testing::FreeLocalPort();
  std::vector<std::string> flags{"--sampling.rate-limit", "20ms",
                                 // samples are checked against D on the kernel's 12.5 % buckets
                                 "--histogram.buckets-per-octave", "8"};
  flags.insert(flags.end(), sampling_flags.begin(), sampling_flags.end());
  testing::Process exporter(
      testing::MonitoringExporterArgv(lab.client_netns(), lab.monitored_interface(), port, flags));
  std::this_thread::sleep_for(1500ms);  // attached, stream in steady state
  const auto t1 = Clock::now();
  const double c1 = testing::FindValue(testing::ScrapeMetrics(port), "pping_rtt_seconds_count", kTcp).value_or(0);
  std::this_thread::sleep_for(4s);
  RunResult result;
  result.samples = testing::ScrapeMetrics(port);
  const std::chrono::duration<double> elapsed = Clock::now() - t1;
  const double c2 = testing::FindValue(result.samples, "pping_rtt_seconds_count", kTcp).value_or(0);
  result.samples_per_second = (c2 - c1) / elapsed.count();
  EXPECT_EQ(exporter.Terminate().code, 0);
  return result;
}

void ExpectNoWrongSample(const RunResult& run, const char* what) {
  const double d = std::chrono::duration<double>(kDelay).count();
  const double slack = 0.1 * d + 0.0005 + std::chrono::duration<double>(kPacing).count();
  const double total = testing::FindValue(run.samples, "pping_rtt_seconds_count", kTcp).value_or(0);
  ASSERT_GT(total, 0) << what;
  EXPECT_GE(testing::FindValue(run.samples, "pping_rtt_min_seconds", kTcp).value_or(0), d) << what;
  EXPECT_EQ(testing::CountUpTo(run.samples, "pping_rtt_seconds", kTcp, d + slack), total)
      << what << ": samples above " << (d + slack) * 1e3 << " ms";
  EXPECT_NEAR(*testing::HistogramQuantile(run.samples, "pping_rtt_seconds", kTcp, 0.5), d, slack) << what;
}

TEST(BurstBypass, GivesMoreSamplesOnRealTrafficAndNoWrongOne) {
  PPING_SKIP_UNLESS_ROOT();
  const RunResult without = MeasureSampling({"--sampling.burst-count", "0"});
  const RunResult with = MeasureSampling({"--sampling.burst-count", "2", "--sampling.burst-window", "5ms"});
  std::cout << "RTT samples/s with a 20 ms rate limit: without burst " << without.samples_per_second << ", with burst "
            << with.samples_per_second << "\n";
  ExpectNoWrongSample(without, "without burst");
  ExpectNoWrongSample(with, "with burst");
  EXPECT_GT(with.samples_per_second, 1.2 * without.samples_per_second);
}

}  // namespace
}  // namespace pping
