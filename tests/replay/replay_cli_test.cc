// SPDX-License-Identifier: Apache-2.0
// `pping_exporter replay` on captures written here, packet by packet: the
// cleanup and expiry run on the capture's clock, flows open at the end are
// reported, the outputs go where asked, and bad input is refused.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/packet_builder.h"
#include "tests/support/pcap_writer.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::BuildEcho;
using testing::BuildTcp;
using testing::Frame;
using testing::kAck;
using testing::kPsh;

constexpr uint64_t kT0 = 1'795'694'400'000'000'000;  // the capture's first packet, ns since the epoch
constexpr uint64_t kMs = 1'000'000, kSecond = 1000 * kMs, kMinute = 60 * kSecond;
constexpr const char* kLocal = "192.0.2.1";
constexpr const char* kRemote = "198.51.100.1";

struct Packet {
  uint64_t time_ns;
  Frame frame;
};

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string WriteCapture(const std::string& name, const std::vector<Packet>& packets, int link_type = DLT_EN10MB) {
  const std::string path = TempPath(name);
  testing::PcapWriter writer(path, link_type);
  for (const Packet& p : packets) writer.Write(p.time_ns, p.frame);
  return path;
}

Frame Out(uint32_t tsval, uint32_t tsecr) {
  return BuildTcp({.src = kLocal,
                   .dst = kRemote,
                   .sport = 40000,
                   .dport = 443,
                   .flags = kAck | kPsh,
                   .timestamps = testing::TcpTimestamps{tsval, tsecr},
                   .payload = 100});
}

Frame In(uint32_t tsval, uint32_t tsecr) {
  return BuildTcp({.src = kRemote,
                   .dst = kLocal,
                   .sport = 443,
                   .dport = 40000,
                   .flags = kAck | kPsh,
                   .timestamps = testing::TcpTimestamps{tsval, tsecr},
                   .payload = 100});
}

Frame Ping(uint16_t id, bool request) {
  return request ? BuildEcho(kLocal, "198.51.100.9", true, id, 1) : BuildEcho("198.51.100.9", kLocal, false, id, 1);
}

// Two RTTs at the start, then a lull that outlasts the timeouts.
std::vector<Packet> LongQuietCapture() {
  return {
      {kT0, Out(100, 50)},
      {kT0 + 20 * kMs, In(900, 100)},  // TCP: 20 ms
      {kT0 + 30 * kMs, Out(101, 900)},
      {kT0 + 31 * kMs, Out(102, 900)},  // never echoed: its stamp expires
      {kT0 + 40 * kMs, Ping(7, true)},
      {kT0 + 50 * kMs, Ping(7, false)},     // ICMP: 10 ms
      {kT0 + 45 * kSecond, Ping(8, true)},  // echo 7 idle past the ICMP timeout (30 s)
      {kT0 + 6 * kMinute, Ping(9, true)},   // TCP idle past its timeout (5 min), echo 8 too
  };
}

std::vector<json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

testing::Exit Replay(const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"replay"};
  args.insert(args.end(), flags.begin(), flags.end());
  return testing::RunExporter(args);
}

TEST(ReplayCli, CleanupAndExpiryRunOnTheCapturesClock) {
  PPING_SKIP_UNLESS_ROOT();
  const std::string capture = WriteCapture("quiet.pcap", LongQuietCapture());
  const std::string events = TempPath("quiet.jsonl"), metrics = TempPath("quiet.prom");
  std::remove(events.c_str());
  const testing::Exit exit = Replay({capture, "--replay.local", kLocal, "--sampling.rate-limit", "0", "--output.format",
                                     "jsonl", "--output.write", events, "--replay.metrics-file", metrics});
  ASSERT_EQ(exit.code, 0) << exit.output;

  std::vector<std::pair<uint64_t, uint64_t>> rtts;                 // (time, rtt)
  std::vector<std::tuple<uint64_t, std::string, int64_t>> closed;  // (time, reason, port)
  for (const json& e : ReadJsonLines(events)) {
    if (e.contains("rtt")) rtts.emplace_back(e["timestamp"], e["rtt"]);
    if (e.value("flow_event", "") == "closing") closed.emplace_back(e["timestamp"], e["reason"], e["src_port"]);
  }
  EXPECT_EQ(rtts, (std::vector<std::pair<uint64_t, uint64_t>>{{kT0 + 20 * kMs, 20 * kMs}, {kT0 + 50 * kMs, 10 * kMs}}));
  std::sort(closed.begin(), closed.end());
  const std::vector<std::tuple<uint64_t, std::string, int64_t>> expected = {
      {kT0 + 45 * kSecond, "flow timeout", 7},  // swept when the capture's clock passed the timeout
      {kT0 + 6 * kMinute, "end of capture", 9},
      {kT0 + 6 * kMinute, "flow timeout", 8},
      {kT0 + 6 * kMinute, "flow timeout", 40000},
  };
  EXPECT_EQ(closed, expected) << exit.output;

  const auto samples = testing::ParseExposition(ReadFile(metrics));
  EXPECT_EQ(
      testing::FindValue(samples, "pping_flows_closed_total", {{"reason", "timeout"}}).value_or(0) +
          testing::FindValue(samples, "pping_flows_closed_total", {{"reason", "timeout"}, {"bidirectional", "true"}})
              .value_or(0),
      3);
  EXPECT_EQ(testing::FindValue(samples, "pping_timestamps_expired_total", {}), 1) << "the stamp of TSval 102";
  EXPECT_EQ(testing::FindValue(samples, "pping_rtt_samples_total", {}), 2);
  EXPECT_NE(exit.output.find("1 flows still open"), std::string::npos) << exit.output;
}

TEST(ReplayCli, WithoutOutputFlagsTheExpositionGoesToStdout) {
  PPING_SKIP_UNLESS_ROOT();
  const std::string capture = WriteCapture("short.pcap", LongQuietCapture());
  const testing::Exit exit = Replay({capture, "--replay.local", kLocal, "--sampling.rate-limit", "0"});
  ASSERT_EQ(exit.code, 0) << exit.output;
  // The log (stderr, merged here) goes in lines of its own that start with "[".
  std::string exposition;
  std::istringstream lines(exit.output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("[")) exposition += line + "\n";
  }
  const auto samples = testing::ParseExposition(exposition);
  EXPECT_EQ(testing::FindValue(samples, "pping_rtt_samples_total", {}), 2) << exit.output;
  EXPECT_EQ(
      testing::FindValue(samples, "pping_rtt_seconds_count", {{"prefix", "198.51.100.0/24"}, {"protocol", "tcp"}}), 1);
}

TEST(ReplayCli, ServesTheMetricsUntilInterrupted) {
  PPING_SKIP_UNLESS_ROOT();
  const std::string capture = WriteCapture("served.pcap", LongQuietCapture());
  const int port = testing::FreeLocalPort();
  testing::Process replay({testing::ExporterPath(), "replay", capture, "--replay.serve", "--web.listen-address",
                           "127.0.0.1:" + std::to_string(port), "--sampling.rate-limit", "0"});
  ASSERT_TRUE(testing::WaitUntilReady(port)) << replay.Output();
  EXPECT_EQ(testing::FindValue(testing::ScrapeMetrics(port), "pping_rtt_samples_total", {}), 2);
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(replay.Running()) << "it serves until told to stop";
  const testing::Exit exit = replay.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  EXPECT_EQ(exit.output.find("pping_rtt_samples_total"), std::string::npos) << "nothing printed unless asked";
}

TEST(ReplayCli, BadInputIsOneLineAndExitCodeTwo) {
  PPING_SKIP_UNLESS_ROOT();
  const std::string capture = WriteCapture("good.pcap", LongQuietCapture());
  const std::string text = TempPath("not_a_capture.pcap");
  std::ofstream(text) << "hello\n";
  const std::string loopback = WriteCapture("null.pcap", {{kT0, Frame(40, 0)}}, DLT_NULL);
  const std::vector<std::vector<std::string>> cases = {
      {text},
      {TempPath("missing.pcap")},
      {loopback},
      {capture, "--attach.interface", "lo"},
      {capture, "--replay.local", "300.1.1.1"},
      {capture, "--replay.local", "192.0.2.0/33"},
      {capture, "--replay.local-mac", "02:00:zz:00:00:01"},
      {capture, "--replay.metrics-file", "/nonexistent/folder/metrics.prom"},
      {},
  };
  for (const auto& flags : cases) {
    const testing::Exit exit = Replay(flags);
    std::string command = "replay";
    for (const auto& f : flags) command += " " + f;
    EXPECT_EQ(exit.code, 2) << command << "\n" << exit.output;
    EXPECT_EQ(std::count(exit.output.begin(), exit.output.end(), '\n'), 1) << command << "\n" << exit.output;
  }
}

}  // namespace
}  // namespace pping
