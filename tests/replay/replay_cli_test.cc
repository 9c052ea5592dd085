// SPDX-License-Identifier: Apache-2.0
// `pping_exporter replay` on captures written here, packet by packet: the
// cleanup and expiry run on the capture's clock, flows open at the end are
// reported, the outputs go where asked, and bad input is refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/json_lines.h"
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

using testing::TempPath;

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

// The samples of `exit`'s exposition on stdout (its log lines start with "ts=").
std::vector<testing::Sample> StdoutExposition(const testing::Exit& exit) {
  std::string exposition;
  std::istringstream lines(exit.output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("ts=")) exposition += line + "\n";  // the log's logfmt lines, from stderr
  }
  return testing::ParseExposition(exposition);
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
  const auto samples = StdoutExposition(exit);
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

TEST(ReplayCli, PacketsTheKernelWouldRefuseDoNotStopTheReplay) {
  PPING_SKIP_UNLESS_ROOT();
  std::vector<Packet> packets = LongQuietCapture();
  // A GRO super-packet as a capture on a host holds it, and IPv4 and IPv6
  // frames that end inside their IP header.
  const Frame jumbo = BuildTcp({.src = kLocal,
                                .dst = kRemote,
                                .sport = 5000,
                                .dport = 80,
                                .flags = kAck | kPsh,
                                .timestamps = testing::TcpTimestamps{1, 2},
                                .payload = 60000});
  packets.insert(packets.begin() + 1, {kT0 + 1 * kMs, jumbo});
  packets.insert(packets.begin() + 1, {kT0 + 2 * kMs, testing::Truncate(Out(5, 6), 30)});
  packets.insert(packets.begin() + 1,
                 {kT0 + 3 * kMs, testing::Truncate(BuildEcho("2001:db8::1", "2001:db8::2", true, 1, 1), 50)});
  const std::string capture = WriteCapture("odd.pcap", packets);
  const testing::Exit exit = Replay({capture, "--replay.local", kLocal, "--sampling.rate-limit", "0"});
  ASSERT_EQ(exit.code, 0) << exit.output;
  const auto samples = StdoutExposition(exit);
  EXPECT_EQ(testing::FindValue(samples, "pping_rtt_samples_total", {}), 2) << exit.output;
  EXPECT_GE(testing::FindValue(samples, "pping_prefix_bytes_total",
                               {{"prefix", "198.51.100.0/24"}, {"protocol", "tcp"}, {"direction", "tx"}})
                .value_or(0),
            jumbo.size())
      << "the super-packet counted whole";
  EXPECT_NE(exit.output.find("2 not replayed"), std::string::npos) << exit.output;
}

TEST(ReplayCli, AClockSetBackIsFollowed) {
  PPING_SKIP_UNLESS_ROOT();
  std::vector<Packet> packets = LongQuietCapture();
  // One packet stamped years ahead, as a capture's first packet can be when
  // the clock was set just after it.
  packets.insert(packets.begin(), {kT0 + 100'000'000 * kSecond, Ping(3, true)});
  const std::string capture = WriteCapture("stepped.pcap", packets);
  const std::string events = TempPath("stepped.jsonl");
  std::remove(events.c_str());
  const testing::Exit exit = Replay({capture, "--replay.local", kLocal, "--sampling.rate-limit", "0", "--output.format",
                                     "jsonl", "--output.write", events});
  ASSERT_EQ(exit.code, 0) << exit.output;
  EXPECT_NE(exit.output.find("steps back"), std::string::npos) << exit.output;
  size_t rtts = 0, timeouts = 0;
  for (const json& e : ReadJsonLines(events)) {
    rtts += e.contains("rtt");
    timeouts += e.value("reason", "") == "flow timeout";
  }
  EXPECT_EQ(rtts, 2u);
  EXPECT_EQ(timeouts, 3u) << "the lull still times flows out";
}

TEST(ReplayCli, SignalsStopAReplayWaitingOnItsInput) {
  PPING_SKIP_UNLESS_ROOT();
  for (const bool serve : {false, true}) {
    const std::string fifo = TempPath(serve ? "serve.fifo" : "plain.fifo");
    unlink(fifo.c_str());
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::vector<std::string> argv = {testing::ExporterPath(), "replay", fifo};
    if (serve) argv.insert(argv.end(), {"--replay.serve", "--web.listen-address", "127.0.0.1:0"});
    testing::Process replay(argv);
    // A writer that sends the file header and a packet, then stalls.
    const std::string start = WriteCapture("start.pcap", {LongQuietCapture().front()});
    std::ifstream in(start, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const int writer = open(fifo.c_str(), O_WRONLY);
    ASSERT_GE(writer, 0);
    ASSERT_EQ(write(writer, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    std::this_thread::sleep_for(1500ms);  // it loads the programs and waits for more
    ASSERT_TRUE(replay.Running()) << replay.Output();
    kill(replay.pid(), SIGINT);
    const testing::Exit exit = replay.Wait(5s);
    close(writer);
    EXPECT_EQ(exit.code, 128 + SIGINT) << (serve ? "serving: " : "") << exit.output;
    EXPECT_NE(exit.output.find("interrupted"), std::string::npos) << exit.output;
  }
}

TEST(ReplayCli, AFailedReplayLeavesTheMetricsFileAsItWas) {
  PPING_SKIP_UNLESS_ROOT();
  const std::string capture = WriteCapture("malformed.pcap", LongQuietCapture());
  {
    // A record header claiming 2 GiB after the good packets.
    std::ofstream append(capture, std::ios::binary | std::ios::app);
    const uint32_t header[4] = {1, 0, 0x7fffffff, 0x7fffffff};
    append.write(reinterpret_cast<const char*>(header), sizeof(header));
  }
  const std::string metrics = TempPath("kept.prom");
  std::ofstream(metrics) << "# the previous run's\n";
  const testing::Exit exit = Replay({capture, "--replay.metrics-file", metrics});
  EXPECT_EQ(exit.code, 2) << exit.output;
  EXPECT_NE(exit.output.find("malformed after 8 packets"), std::string::npos) << exit.output;
  EXPECT_EQ(ReadFile(metrics), "# the previous run's\n");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(metrics).parent_path())) {
    EXPECT_EQ(entry.path().string().find("kept.prom.tmp"), std::string::npos) << entry.path() << " left behind";
  }
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
      {capture, "--replay.metrics-file", capture},
      {capture, "--output.format", "jsonl", "--output.write", capture},
      {capture, "--aggregation.interface-label", "on"},
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
