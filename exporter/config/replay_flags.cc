// SPDX-License-Identifier: Apache-2.0
#include "exporter/config/replay_flags.h"

#include <cstdio>

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
    char* end = nullptr;
    const unsigned long value = std::strtoul(bits.c_str(), &end, 10);
    if (bits.empty() || *end != '\0' || value > most) {
      throw CLI::ValidationError("--replay.local",
                                 "'" + text + "' has no prefix length within 0.." + std::to_string(most));
    }
    length = static_cast<unsigned>(value);
  }
  prefix.length = v4 ? kMappedIpv4Bits + length : length;
  return prefix;
}

MacAddress ParseMac(const std::string& text) {
  MacAddress mac{};
  unsigned parts[6];
  char extra = 0;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &parts[0], &parts[1], &parts[2], &parts[3], &parts[4],
                  &parts[5], &extra) != 6) {
    throw CLI::ValidationError("--replay.local-mac", "'" + text + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
  }
  for (int i = 0; i < 6; ++i) mac[i] = static_cast<uint8_t>(parts[i]);
  return mac;
}

}  // namespace

CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& options) {
  CLI::App* replay = app.add_subcommand(
      "replay", "Read a packet capture (pcap, pcapng) through the same programs, on the capture's clock, and exit");
  // Flags of the exporter may follow the subcommand's.
  replay->fallthrough();
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
