// SPDX-License-Identifier: Apache-2.0
// The demo (`scripts/run.sh --demo`): the real exporter on a lab of its
// own. Two demos at once each measure their own lab; one that cannot serve
// ends with the exporter's one-line error and takes its lab down.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;

const std::map<std::string, std::string> kTcp{{"prefix", "192.0.2.0/24"}, {"protocol", "tcp"}};

std::string DemoPath() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE") + "/tests/lab/pping_demo";
}

std::vector<std::string> DemoArgv(int port, const std::string& delay, std::vector<std::string> more = {}) {
  std::vector<std::string> argv{DemoPath(),
                                "--demo",
                                "--demo.delay",
                                delay,
                                "--exporter",
                                testing::ExporterPath(),
                                "--web.listen-address",
                                "127.0.0.1:" + std::to_string(port),
                                "--histogram.buckets-per-octave",
                                "8",
                                "--sampling.rate-limit",
                                "10ms"};
  argv.insert(argv.end(), more.begin(), more.end());
  return argv;
}

// The lab namespaces the demo process `pid` made.
int LabNamespacesOf(pid_t pid) {
  int found = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", error)) {
    found += entry.path().filename().string().starts_with("pping-demo-" + std::to_string(pid) + "-");
  }
  return found;
}

double TcpSamples(int port) {
  return testing::FindValue(testing::ScrapeMetrics(port), "pping_rtt_seconds_count", kTcp).value_or(0);
}

// Waits until the demo at `port` has `want` TCP samples; returns its median.
std::optional<double> MedianOnceSampled(int port, double want) {
  for (int i = 0; i < 100 && TcpSamples(port) < want; ++i) std::this_thread::sleep_for(100ms);
  return testing::HistogramQuantile(testing::ScrapeMetrics(port), "pping_rtt_seconds", kTcp, 0.5);
}

TEST(Demo, TwoAtOnceEachMeasureTheirOwnLab) {
  PPING_SKIP_UNLESS_ROOT();
  const int port_a = testing::FreeLocalPort(), port_b = testing::FreeLocalPort();
  testing::Process a(DemoArgv(port_a, "20ms"));
  testing::Process b(DemoArgv(port_b, "40ms"));
  ASSERT_TRUE(testing::WaitUntilReady(port_a)) << a.Output();
  ASSERT_TRUE(testing::WaitUntilReady(port_b)) << b.Output();
  EXPECT_EQ(LabNamespacesOf(a.pid()), 2);
  EXPECT_EQ(LabNamespacesOf(b.pid()), 2);
  const auto median_a = MedianOnceSampled(port_a, 30), median_b = MedianOnceSampled(port_b, 30);
  ASSERT_TRUE(median_a && median_b) << a.Output() << b.Output();
  EXPECT_NEAR(*median_a, 0.020, 0.0025);
  EXPECT_NEAR(*median_b, 0.040, 0.0045);
  const testing::Exit b_exit = b.Terminate();
  EXPECT_EQ(b_exit.code, 0) << b_exit.output;
  EXPECT_EQ(LabNamespacesOf(b.pid()), 0) << "the second demo's lab outlived it";
  // The first demo's lab and exporter were left alone.
  EXPECT_EQ(LabNamespacesOf(a.pid()), 2);
  const double before = TcpSamples(port_a);
  std::this_thread::sleep_for(1500ms);
  EXPECT_GT(TcpSamples(port_a), before + 10) << a.Output();
  const testing::Exit a_exit = a.Terminate();
  EXPECT_EQ(a_exit.code, 0) << a_exit.output;
  EXPECT_EQ(LabNamespacesOf(a.pid()), 0);
}

TEST(Demo, APortInUseIsRefusedInOneLineBeforeAnyLab) {
  PPING_SKIP_UNLESS_ROOT();
  const int port = testing::FreeLocalPort();
  testing::Process first(DemoArgv(port, "5ms"));
  ASSERT_TRUE(testing::WaitUntilReady(port)) << first.Output();
  testing::Process second(DemoArgv(port, "5ms"));
  const testing::Exit exit = second.Wait(30s);
  EXPECT_EQ(exit.code, 2) << exit.output;
  EXPECT_EQ(exit.output.rfind("pping_demo: error: listen on 127.0.0.1:" + std::to_string(port) + ": ", 0), 0u)
      << exit.output;
  EXPECT_EQ(exit.output.find('\n'), exit.output.size() - 1) << "one line expected: " << exit.output;
  EXPECT_EQ(LabNamespacesOf(second.pid()), 0);
  EXPECT_TRUE(testing::WaitUntilReady(port)) << "the first demo still serves";
  EXPECT_EQ(first.Terminate().code, 0);
}

TEST(Demo, RefusesToBeToldWhichInterfaceToWatch) {
  PPING_SKIP_UNLESS_ROOT();
  testing::Process demo(DemoArgv(testing::FreeLocalPort(), "5ms", {"--attach.interface", "eth0"}));
  const testing::Exit exit = demo.Wait(10s);
  EXPECT_EQ(exit.code, 2) << exit.output;
  EXPECT_EQ(exit.output, "pping_demo: error: the demo monitors its own lab: drop --attach.interface\n");
  EXPECT_EQ(LabNamespacesOf(demo.pid()), 0);
}

}  // namespace
}  // namespace pping
