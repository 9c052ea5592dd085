// SPDX-License-Identifier: Apache-2.0
// What `pping_exporter replay FILE` reads and reports.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "exporter/stats/prefix.h"

namespace pping {

using MacAddress = std::array<uint8_t, 6>;

// An address or prefix in the 16-byte form (IPv4 mapped, length counted
// on that form: 96 + the IPv4 length).
struct AddressPrefix {
  Address16 address{};
  unsigned length = 128;
};

struct ReplayOptions {
  std::string file;  // pcap or pcapng
  // Which side is local: packets from these addresses or MACs went out
  // (egress), packets to them came in. Neither: see DirectionOracle.
  std::vector<AddressPrefix> local;
  std::vector<MacAddress> local_macs;
  std::string metrics_file;  // the final exposition is written here ("-": stdout)
  bool serve = false;        // serve /metrics once the capture is read, until SIGINT/SIGTERM
};

}  // namespace pping
