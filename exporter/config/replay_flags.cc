// SPDX-License-Identifier: Apache-2.0
#include "exporter/config/replay_flags.h"

#include <algorithm>
#include <string>

#include "exporter/stats/prefix.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

constexpr unsigned kMappedIpv4Bits = 96;

// "192.0.2.0/24", "2001:db8::/32" or a single address.
AddressPrefix ParsePrefix(const std::string& text) {
  const size_t slash = text.find('/');
  AddressPrefix prefix;
  try {
    prefix.address = ParseAddress(text.substr(0, slash));
  } catch (const UsageError&) {
    throw CLI::ValidationError("--replay.local", "'" + text + "' is not an address or prefix");
  }
  const bool v4 = IsMappedIpv4(prefix.address);
  const unsigned most = v4 ? 32 : 128;
  unsigned length = most;
  if (slash != std::string::npos) {
    const std::string bits = text.substr(slash + 1);
    const bool digits = !bits.empty() && bits.size() <= 3 &&
                        std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(bits) > most) {
      throw CLI::ValidationError("--replay.local",
                                 "'" + text + "' has no prefix length within 0.." + std::to_string(most));
    }
    length = static_cast<unsigned>(std::stoul(bits));
  }
  prefix.length = v4 ? kMappedIpv4Bits + length : length;
  return prefix;
}

// Exactly six pairs of hex digits joined by colons.
MacAddress ParseMac(const std::string& text) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  MacAddress mac{};
  bool ok = text.size() == 17;
  for (size_t i = 0; ok && i < mac.size(); ++i) {
    const int high = hex(text[3 * i]), low = hex(text[3 * i + 1]);
    ok = high >= 0 && low >= 0 && (i == 5 || text[3 * i + 2] == ':');
    mac[i] = static_cast<uint8_t>(high << 4 | low);
  }
  if (!ok) throw CLI::ValidationError("--replay.local-mac", "'" + text + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
  return mac;
}

}  // namespace

CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& options) {
  CLI::App* replay = app.add_subcommand(
      "replay", "Read a packet capture (pcap, pcapng) through the same programs, on the capture's clock, and exit");
  // Flags of the exporter may follow the subcommand's.
  replay->fallthrough();
  replay->footer(
      "The exporter's other flags apply as well (sampling.*, aggregation.*, histogram.*, cleanup.*, datapath.*, "
      "output.*, web.*, log.level; not attach.*): see pping_exporter --help.");
  replay->add_option("file", options.file, "The capture")->required()->check(CLI::ExistingFile);
  replay->add_option_function<std::vector<std::string>>(
      "--replay.local",
      [&options](const std::vector<std::string>& texts) {
        for (const auto& text : texts) options.local.push_back(ParsePrefix(text));
      },
      "Local address or prefix (repeatable): packets from it went out, packets to it came in");
  replay->add_option_function<std::vector<std::string>>(
      "--replay.local-mac",
      [&options](const std::vector<std::string>& texts) {
        for (const auto& text : texts) options.local_macs.push_back(ParseMac(text));
      },
      "Local MAC address (repeatable), for Ethernet captures");
  replay->add_option("--replay.metrics-file", options.metrics_file,
                     "Write the final /metrics exposition to this file ('-': stdout)");
  replay->add_flag("--replay.serve", options.serve,
                   "Once the capture is read, serve /metrics on --web.listen-address until SIGINT/SIGTERM");
  return replay;
}

}  // namespace pping
