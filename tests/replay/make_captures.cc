// SPDX-License-Identifier: Apache-2.0
// Makes the captures tests/replay/testdata holds: real traffic in the
// namespace lab, captured by tcpdump in the client namespace, one lab per
// capture. `bazel run //tests/replay:make_captures` rewrites them in the
// source tree (`-- FOLDER FILE...` makes only the files named, in FOLDER);
// testdata/README.md says what each one holds.
//
// This kernel has no 802.1Q support, and the lab no link without an
// Ethernet header that carries both directions; the VLAN and raw IP
// captures are therefore the Ethernet one rewritten: tags inserted as a
// switch's mirror port would show them, or the Ethernet header removed as
// a TUN or WireGuard capture has none.
#include <pcap/pcap.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/lab/command.h"
#include "tests/lab/lab.h"
#include "tests/support/pcap_writer.h"
#include "tests/support/tcpdump.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

struct Scenario {
  const char* file;
  LabOptions lab;
  testing::TcpdumpOptions capture;  // netns and file are filled in
  std::chrono::milliseconds duration = 1s;
  bool pcapng = false;  // converted with editcap
};

std::vector<Scenario> Scenarios() {
  const TrafficMix request_and_ping{.request_response = true, .ping = true};
  return {
      {"tcp_icmp.pcap", {.name = "ppcap", .traffic = request_and_ping}, {.interface = "ppc0"}},
      {"no_timestamps.pcap",
       {.name = "ppcap", .traffic = request_and_ping, .tcp_timestamps = false},
       {.interface = "ppc0"}},
      {"short_connections.pcap",
       {.name = "ppcap", .traffic = {.request_response = false, .ping = false, .short_connections = true}},
       {.interface = "ppc0"},
       1500ms},
      {"loss.pcap",
       {.name = "ppcap", .traffic = {.request_response = false, .ping = false, .paced_bulk = true}, .drop_every = 40},
       {.interface = "ppc0", .snap_length = 128},
       500ms},
      {"truncated.pcap",
       {.name = "ppcap", .traffic = {.request_response = true, .ping = true, .paced_bulk = true}},
       {.interface = "ppc0", .snap_length = 128},
       500ms},
      {"bulk_no_timestamps.pcap",
       {.name = "ppcap",
        .traffic = {.request_response = true, .ping = false, .paced_bulk = true},
        .tcp_timestamps = false,
        .drop_every = 40},
       {.interface = "ppc0", .snap_length = 128},
       1s},
      {"short_no_timestamps.pcap",
       {.name = "ppcap",
        .traffic = {.request_response = false, .ping = false, .short_connections = true},
        .tcp_timestamps = false},
       {.interface = "ppc0"},
       1500ms},
      {"dns.pcap",
       {.name = "ppcap", .traffic = {.request_response = true, .ping = false, .dns = true}},
       {.interface = "ppc0"}},
      {"sll.pcap", {.name = "ppcap", .traffic = request_and_ping}, {.interface = "any", .link_type = "LINUX_SLL"}},
      {"sll2.pcapng",
       {.name = "ppcap", .traffic = request_and_ping},
       {.interface = "any", .link_type = "LINUX_SLL2"},
       1s,
       true},
  };
}

// Rewrites every packet of an Ethernet capture into a capture of `link_type`.
void Rewrite(const std::string& from, const std::string& to, int link_type,
             const std::function<Bytes(const uint8_t*, uint32_t)>& rewrite, int32_t length_change) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* in = pcap_open_offline_with_tstamp_precision(from.c_str(), PCAP_TSTAMP_PRECISION_NANO, error);
  if (!in) throw std::runtime_error(error);
  testing::PcapWriter out(to, link_type);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(in, &header, &data) == 1) {
    const uint64_t time = static_cast<uint64_t>(header->ts.tv_sec) * 1'000'000'000 + header->ts.tv_usec;
    out.Write(time, rewrite(data, header->caplen), static_cast<uint32_t>(header->len + length_change));
  }
  pcap_close(in);
}

// An 802.1ad service tag (id 100) outside an 802.1Q customer tag (id 7).
Bytes Tagged(const uint8_t* frame, uint32_t size) {
  Bytes out(frame, frame + 12);
  out.insert(out.end(), {0x88, 0xa8, 0x00, 100, 0x81, 0x00, 0x00, 7});
  out.insert(out.end(), frame + 12, frame + size);
  return out;
}

Bytes WithoutEthernet(const uint8_t* frame, uint32_t size) { return Bytes(frame + 14, frame + size); }

void Make(const Scenario& scenario, const std::filesystem::path& folder) {
  Lab lab(scenario.lab);
  const std::filesystem::path pcap = folder / (std::string(scenario.file) + (scenario.pcapng ? ".tmp.pcap" : ""));
  testing::TcpdumpOptions capture = scenario.capture;
  capture.netns = lab.client_netns();
  capture.file = pcap;
  // Traffic started with the lab: flows are caught midway, as on a live link.
  std::this_thread::sleep_for(200ms);
  testing::Tcpdump tcpdump(capture);
  std::this_thread::sleep_for(scenario.duration);
  spdlog::info("{}: {}", scenario.file, tcpdump.Stop());
  if (scenario.pcapng) {
    RunOrThrow({"editcap", "-F", "pcapng", pcap, folder / scenario.file});
    std::filesystem::remove(pcap);
  }
}

}  // namespace
}  // namespace pping

int main(int argc, char** argv) {
  using namespace pping;
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::filesystem::path folder =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::path(workspace ? workspace : ".") / "tests/replay/testdata";
  if (geteuid() != 0) {
    spdlog::error("make_captures builds network namespaces: run it as root");
    return 2;
  }
  const std::vector<std::string> only(argv + std::min(argc, 2), argv + argc);
  const auto wanted = [&only](const std::string& file) {
    return only.empty() || std::find(only.begin(), only.end(), file) != only.end();
  };
  try {
    std::filesystem::create_directories(folder);
    for (const Scenario& scenario : Scenarios()) {
      if (wanted(scenario.file)) Make(scenario, folder);
    }
    if (wanted("vlan.pcap")) Rewrite(folder / "tcp_icmp.pcap", folder / "vlan.pcap", DLT_EN10MB, Tagged, 8);
    if (wanted("raw_ip.pcap")) Rewrite(folder / "tcp_icmp.pcap", folder / "raw_ip.pcap", DLT_RAW, WithoutEthernet, -14);
  } catch (const std::exception& e) {
    spdlog::error("make_captures: {}", e.what());
    return 1;
  }
  spdlog::info("captures written to {}", folder.string());
  return 0;
}
