// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/replay_speed.h"

#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/packet_builder.h"
#include "tests/support/pcap_writer.h"
#include "tests/support/process.h"

namespace pping::bench {
namespace {

constexpr uint64_t kT0 = 1'795'694'400'000'000'000;
constexpr uint64_t kGapNs = 5'000;  // 200 kpps of capture time
constexpr unsigned kFlows = 4096;   // a round of them all: 20.5 ms, each echo's RTT

std::string Address(bool v6, bool local, unsigned flow) {
  const unsigned host = flow % 250 + 1, net = flow / 250;
  if (v6)
    return std::string(local ? "fd00:1::" : "fd00:2:") +
           (local ? "1" : std::to_string(net) + "::" + std::to_string(host));
  return local ? "10.0.0.1" : "10.1." + std::to_string(net) + "." + std::to_string(host);
}

// Packet i of the capture: flow i % kFlows, in rounds of all flows. In even
// rounds each TCP flow sends a request, in odd rounds the reply echoes it;
// one flow in 16 is a ping instead.
testing::Frame PacketAt(uint64_t i) {
  const unsigned flow = static_cast<unsigned>(i % kFlows);
  const bool v6 = flow % 2;
  const uint64_t round = i / kFlows;
  const uint32_t tick = static_cast<uint32_t>(round + 1);
  const uint16_t port = static_cast<uint16_t>(40000 + flow);
  const std::string local = Address(v6, true, flow), remote = Address(v6, false, flow);
  if (flow % 16 == 0) {
    return round % 2 == 0 ? testing::BuildEcho(local, remote, true, port, static_cast<uint16_t>(round / 2))
                          : testing::BuildEcho(remote, local, false, port, static_cast<uint16_t>(round / 2));
  }
  if (round % 2 == 0) {
    return testing::BuildTcp({.src = local,
                              .dst = remote,
                              .sport = port,
                              .dport = 443,
                              .flags = testing::kAck | testing::kPsh,
                              .timestamps = testing::TcpTimestamps{tick, tick + 7},
                              .payload = 200});
  }
  return testing::BuildTcp({.src = remote,
                            .dst = local,
                            .sport = 443,
                            .dport = port,
                            .flags = testing::kAck | testing::kPsh,
                            .timestamps = testing::TcpTimestamps{tick + 7, tick - 1},
                            .payload = 1200});
}

void WriteCapture(const std::string& path, uint64_t packets) {
  testing::PcapWriter writer(path, DLT_EN10MB, 128);  // cut as `tcpdump -s 128` does
  for (uint64_t i = 0; i < packets; ++i) writer.Write(kT0 + i * kGapNs, PacketAt(i));
}

// VmHWM of a running process: the peak of its resident memory since exec.
// Until the fork has exec'd the exporter, VmHWM is that of this benchmark's
// copied memory, so it is read only once /proc/PID/exe names the exporter.
double PeakRssMib(pid_t pid, const std::filesystem::path& binary) {
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", error);
  if (error || exe != binary) return 0;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024;  // "VmHWM:  12345 kB"
  }
  return 0;
}

}  // namespace

ReplaySpeed MeasureReplay(const std::string& exporter, uint64_t packets, unsigned runs) {
  const std::string path = (std::filesystem::temp_directory_path() / "pping_bench_replay.pcap").string();
  WriteCapture(path, packets);
  ReplaySpeed result;
  result.packets = packets;
  result.capture_mib = static_cast<double>(std::filesystem::file_size(path)) / (1 << 20);
  const std::filesystem::path binary = std::filesystem::canonical(exporter);
  std::vector<double> seconds;
  for (unsigned run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    testing::Process replay({exporter, "replay", path, "--replay.local", "10.0.0.1", "--replay.local", "fd00:1::1",
                             "--replay.metrics-file", "/dev/null"});
    // Its own peak, read while it runs: the rusage of an ended child counts
    // the pages it shared with this benchmark before exec.
    double peak_mib = 0;
    while (replay.Running()) {
      peak_mib = std::max(peak_mib, PeakRssMib(replay.pid(), binary));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const testing::Exit exit = replay.Wait(std::chrono::minutes(5));
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    result.peak_rss_mib = std::max(result.peak_rss_mib, peak_mib);
    if (exit.code != 0) throw std::runtime_error("replay exited " + std::to_string(exit.code) + ": " + exit.output);
    const size_t line = exit.output.rfind("replayed ");
    if (line != std::string::npos) result.summary = exit.output.substr(line, exit.output.find('\n', line) - line);
  }
  std::filesystem::remove(path);
  std::sort(seconds.begin(), seconds.end());
  result.median_s = seconds[seconds.size() / 2];
  result.min_s = seconds.front();
  result.max_s = seconds.back();
  return result;
}

}  // namespace pping::bench
