// SPDX-License-Identifier: Apache-2.0
// The global and health families: names, labels, values, and the whole
// exposition against a golden file.
#include "exporter/exposition/metric_families.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "exporter/exposition/exposition_fixtures.h"
#include "exporter/util/build_info.h"
#include "tests/support/exposition.h"

namespace pping {
namespace {

using testing::FindValue;
using testing::ParseExposition;
using testing::RenderPrefixes;
using testing::TcpPrefix;

GlobalCounters SomeCounters() {
  GlobalCounters c;
  c.ip_packets[PP_DIR_INGRESS][PP_PROTO_TCP] = 10;
  c.ip_bytes[PP_DIR_INGRESS][PP_PROTO_TCP] = 1500;
  c.non_ip_packets[PP_DIR_EGRESS] = 2;
  c.ecn_packets[3] = 1;
  c.map_full[PP_MAP_FLOW_STATE] = 7;
  c.map_alloc_failed[PP_MAP_AGGREGATION] = 3;
  c.rtt_samples = 4;
  c.dns_queries = 9;
  return c;
}

std::string Render(const std::vector<prometheus::MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

std::string RenderAll() {
  std::vector<prometheus::MetricFamily> families = GlobalFamilies(SomeCounters());
  CleanupStats cleanup;
  cleanup.dns_expired = 2;
  for (auto& f : DnsFamilies(SomeCounters(), cleanup)) families.push_back(f);
  for (auto& f : ExporterFamilies(
           {{{{"eth0", "ingress", "tcx"}, {"eth0", "egress", "tcx"}}, {{"eth0", true, 0}, {"wg0", false, 2}}},
            {16384, 8192, 4096},
            3,
            1,
            0}))
    families.push_back(f);
  // The same prefix's RTTs from sequence numbers: their own series, and no
  // traffic counters of their own.
  PrefixSnapshot seq_ack = TcpPrefix();
  seq_ack.key.method = PP_METHOD_SEQ_ACK;
  // DNS response times of the same prefix, NXDOMAIN: a family of their own.
  PrefixSnapshot dns = TcpPrefix();
  dns.key.proto_class = PP_PROTO_UDP;
  dns.key.method = PP_METHOD_DNS;
  dns.key.rcode = 3;
  return RenderPrefixes({TcpPrefix(), seq_ack, dns}) + Render(families);
}

TEST(Exposition, FlowCountersJoinKernelAndCleanup) {
  GlobalCounters c;
  c.flows_opened[PP_OPEN_SYN_ACK] = 5;
  c.flows_closed[PP_CLOSE_FIN][1] = 3;
  c.flows_closed[PP_CLOSE_TIMEOUT][0] = 0;  // the kernel never times flows out
  c.stamps_burst = 6;
  CleanupStats cleanup;
  cleanup.flows_timed_out[0] = 2;
  cleanup.flows_tracked = 9;
  cleanup.timestamps_expired = 4;
  const auto samples = ParseExposition(Render(FlowFamilies(c, cleanup)));
  EXPECT_EQ(FindValue(samples, "pping_flows_opened_total", {{"reason", "syn_ack"}}), 5);
  EXPECT_EQ(FindValue(samples, "pping_flows_closed_total", {{"reason", "fin"}, {"bidirectional", "true"}}), 3);
  EXPECT_EQ(FindValue(samples, "pping_flows_closed_total", {{"reason", "timeout"}, {"bidirectional", "false"}}), 2);
  EXPECT_EQ(FindValue(samples, "pping_flows_tracked", {}), 9);
  EXPECT_EQ(FindValue(samples, "pping_timestamps_expired_total", {}), 4);
  EXPECT_EQ(FindValue(samples, "pping_stamps_burst_total", {}), 6);
}

TEST(Exposition, GlobalCountersAndHealth) {
  const auto samples = ParseExposition(RenderAll());
  EXPECT_EQ(FindValue(samples, "pping_packets_total", {{"direction", "rx"}, {"protocol", "tcp"}}), 10);
  EXPECT_EQ(FindValue(samples, "pping_packets_total", {{"direction", "tx"}, {"protocol", "non_ip"}}), 2);
  EXPECT_EQ(FindValue(samples, "pping_ecn_packets_total", {{"codepoint", "ce"}}), 1);
  EXPECT_EQ(FindValue(samples, "pping_map_full_total", {{"map", "flow_state"}}), 7);
  EXPECT_EQ(FindValue(samples, "pping_map_alloc_failures_total", {{"map", "aggregation"}}), 3);
  EXPECT_EQ(FindValue(samples, "pping_map_alloc_failures_total", {{"map", "flow_state"}}), 0);
  EXPECT_EQ(FindValue(samples, "pping_rtt_samples_total", {}), 4);
  EXPECT_EQ(FindValue(samples, "pping_interface_attached", {{"interface", "eth0"}, {"hook", "egress"}}), 1);
  EXPECT_EQ(FindValue(samples, "pping_exporter_build_info", {}), 1);
  EXPECT_EQ(FindValue(samples, "pping_interface_present", {{"interface", "wg0"}}), 0);
  EXPECT_EQ(FindValue(samples, "pping_map_capacity", {{"map", "flow_state"}}), 8192);
  EXPECT_EQ(FindValue(samples, "pping_interface_reattachments_total", {{"interface", "wg0"}}), 2);
  EXPECT_FALSE(FindValue(samples, "pping_exporter_output_write_errors_total", {})) << "no console output here";
}

TEST(Exposition, FailedOutputWritesWithConsoleOutput) {
  ExporterHealth health;
  health.output_write_errors = 5;
  const auto samples = ParseExposition(prometheus::TextSerializer().Serialize(ExporterFamilies(health)));
  EXPECT_EQ(FindValue(samples, "pping_exporter_output_write_errors_total", {}), 5);
}

TEST(Exposition, HttpConnectionsWhileServing) {
  ExporterHealth health;
  EXPECT_FALSE(FindValue(ParseExposition(prometheus::TextSerializer().Serialize(ExporterFamilies(health))),
                         "pping_exporter_http_connections", {}));
  health.web =
      WebHealth{.open = 3, .limit = 4096, .closed = {{"completed", 10}, {"header_timeout", 2}}, .unauthorized = 5};
  const auto samples = ParseExposition(prometheus::TextSerializer().Serialize(ExporterFamilies(health)));
  EXPECT_EQ(FindValue(samples, "pping_exporter_http_connections", {}), 3);
  EXPECT_EQ(FindValue(samples, "pping_exporter_http_connection_limit", {}), 4096);
  EXPECT_EQ(FindValue(samples, "pping_exporter_http_connections_closed_total", {{"reason", "header_timeout"}}), 2);
  EXPECT_EQ(FindValue(samples, "pping_exporter_http_unauthorized_requests_total", {}), 5);
}

TEST(Exposition, ProcessFamiliesAsClientLibrariesNameThem) {
  ExporterHealth health;
  health.process = ProcessStats{.cpu_seconds = 1.5,
                                .resident_bytes = 1 << 20,
                                .virtual_bytes = 1 << 30,
                                .open_fds = 12,
                                .max_fds = 4096,
                                .start_time_seconds = 1.7e9};
  const auto samples = ParseExposition(prometheus::TextSerializer().Serialize(ExporterFamilies(health)));
  EXPECT_EQ(FindValue(samples, "process_cpu_seconds_total", {}), 1.5);
  EXPECT_EQ(FindValue(samples, "process_resident_memory_bytes", {}), 1 << 20);
  EXPECT_EQ(FindValue(samples, "process_virtual_memory_bytes", {}), 1 << 30);
  EXPECT_EQ(FindValue(samples, "process_open_fds", {}), 12);
  EXPECT_EQ(FindValue(samples, "process_max_fds", {}), 4096);
  EXPECT_EQ(FindValue(samples, "process_start_time_seconds", {}), 1.7e9);
}

// Set PPING_UPDATE_GOLDEN=1 with `bazel run` to rewrite the golden file.
// The build's description differs from build to build: its labels are
// checked apart, against GetBuildInfo().
TEST(Exposition, BuildInfoDescribesTheBuild) {
  const auto samples = ParseExposition(prometheus::TextSerializer().Serialize(ExporterFamilies(ExporterHealth{})));
  const BuildInfo& b = GetBuildInfo();
  EXPECT_EQ(FindValue(samples, "pping_exporter_build_info",
                      {{"version", b.version},
                       {"revision", b.revision},
                       {"branch", b.branch},
                       {"build_date", b.build_date},
                       {"compiler", b.compiler},
                       {"libbpf", b.libbpf}}),
            1);
}

TEST(Exposition, MatchesGoldenFile) {
  const std::string golden_path = "exporter/exposition/testdata/exposition.golden";
  const std::string actual = std::regex_replace(RenderAll(), std::regex(R"(pping_exporter_build_info\{[^}]*\})"),
                                                "pping_exporter_build_info{...}");
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (std::getenv("PPING_UPDATE_GOLDEN") && workspace) {
    std::ofstream(std::string(workspace) + "/" + golden_path) << actual;
    GTEST_SKIP() << "golden file rewritten";
  }
  std::ifstream in(golden_path);
  ASSERT_TRUE(in) << "missing " << golden_path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str())
      << "update with: PPING_UPDATE_GOLDEN=1 bazel run //exporter/exposition:metric_families_test";
}

}  // namespace
}  // namespace pping
